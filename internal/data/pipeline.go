package data

import (
	"runtime"
	"sync"

	"github.com/churnrisk/churn/internal/signals"
)

// The events of one file go through a three-stage pipeline:
//
//	reader (this goroutine): parse and validate rows, look up the customer
//	workers (GOMAXPROCS):    signals.Aggregator.Day for a batch of events
//	folder (one goroutine):  History.Add, in file order
//
// Batches are folded in the order they were read, so the result is the same
// as a serial fold, float sums included. A fixed set of batches circulates
// (reader -> workers -> folder -> reader), which bounds memory and makes
// the reader wait when the later stages fall behind.

const batchSize = 1024

type evBatch struct {
	pos  []int
	evs  []signals.Event
	days []signals.Day
	// notes holds the excerpt of each event, when excerpts are kept
	// (Options.Excerpts); has says which events have one.
	notes []signals.Excerpt
	has   []bool
	done  chan struct{} // closed when days is filled
}

type pipeline struct {
	l       *loader
	cur     *evBatch
	free    chan *evBatch
	work    chan *evBatch
	ordered chan *evBatch
	workers sync.WaitGroup
	folded  chan struct{}
}

// startPipeline starts the workers and the folder for one event file.
func (l *loader) startPipeline() *pipeline {
	n := runtime.GOMAXPROCS(0)
	batches := 2*n + 2
	p := &pipeline{
		l:       l,
		free:    make(chan *evBatch, batches),
		work:    make(chan *evBatch, batches),
		ordered: make(chan *evBatch, batches),
		folded:  make(chan struct{}),
	}
	for range batches {
		p.free <- &evBatch{
			pos: make([]int, 0, batchSize),
			evs: make([]signals.Event, 0, batchSize),
		}
	}
	agg := l.agg
	keep, text := l.opts.Excerpts, l.opts.ExcerptText
	for range n {
		p.workers.Add(1)
		go func() {
			defer p.workers.Done()
			for b := range p.work {
				b.days = b.days[:0]
				if keep > 0 {
					b.notes, b.has = b.notes[:0], b.has[:0]
					for i := range b.evs {
						d, x, ok := agg.Ticket(&b.evs[i], text)
						b.days = append(b.days, d)
						b.notes = append(b.notes, x)
						b.has = append(b.has, ok)
					}
				} else {
					for i := range b.evs {
						b.days = append(b.days, agg.Day(&b.evs[i]))
					}
				}
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(p.folded)
		hs := l.ds.Histories
		for b := range p.ordered {
			<-b.done
			for i, d := range b.days {
				hs[b.pos[i]].Add(d)
				l.seen(b.evs[i].Timestamp)
				if keep > 0 && b.has[i] {
					l.ds.Excerpts[b.pos[i]] = signals.KeepNewest(l.ds.Excerpts[b.pos[i]], b.notes[i], keep)
				}
			}
			clear(b.notes)
			clear(b.evs) // drop references to row strings
			b.pos, b.evs = b.pos[:0], b.evs[:0]
			p.free <- b
		}
	}()
	return p
}

// add queues one valid event of the customer at position pos.
func (p *pipeline) add(pos int, ev *signals.Event) {
	if p.cur == nil {
		p.cur = <-p.free
	}
	b := p.cur
	b.pos = append(b.pos, pos)
	b.evs = append(b.evs, *ev)
	if len(b.evs) == batchSize {
		p.flush()
	}
}

func (p *pipeline) flush() {
	b := p.cur
	if b == nil || len(b.evs) == 0 {
		return
	}
	p.cur = nil
	b.done = make(chan struct{})
	p.ordered <- b
	p.work <- b
}

// finish folds what is queued and stops the goroutines. The histories are
// complete when it returns.
func (p *pipeline) finish() {
	p.flush()
	close(p.work)
	close(p.ordered)
	p.workers.Wait()
	<-p.folded
}
