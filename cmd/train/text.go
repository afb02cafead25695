package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/churnrisk/churn/internal/signals"
)

// textReading is one line of `train text`: how the service reads one
// support ticket's text.
type textReading struct {
	Text      string           `json:"text"`
	Lang      string           `json:"lang"`
	Script    signals.Script   `json:"script"`
	Sentiment float64          `json:"sentiment"`
	Intents   []signals.Intent `json:"intents"`
}

// runText reads ticket texts, one per line from stdin or one per row of a
// CSV column, and writes for each, in order, one JSON object per line
// (signals.Read: language, script, sentiment and churn intents).
func runText(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("text", stderr)
	csvFile := fs.String("csv", "", "read the texts from a column of this CSV file (its first row names the columns), not from standard input")
	column := fs.String("column", "text", "the CSV column that holds the texts (with --csv; names match case-insensitively)")
	if err := parse(fs, args); err != nil {
		return err
	}
	columnSet := false
	fs.Visit(func(f *flag.Flag) { columnSet = columnSet || f.Name == "column" })
	if columnSet && *csvFile == "" {
		return usageError{errors.New("--column needs --csv FILE")}
	}
	out := bufio.NewWriterSize(stdout, 1<<16)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	emit := func(text string) error {
		rd := signals.Read(text)
		intents := rd.Intents
		if intents == nil {
			intents = []signals.Intent{}
		}
		return enc.Encode(textReading{Text: text, Lang: rd.Lang, Script: rd.Script, Sentiment: rd.Sentiment, Intents: intents})
	}
	var err error
	if *csvFile != "" {
		err = readCSVColumn(*csvFile, *column, emit)
	} else {
		err = readLines(stdin, emit)
	}
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write: %w", ferr)
	}
	return err
}

// readLines calls emit with every line of r, without its line ending; a
// final line without one counts too.
func readLines(r io.Reader, emit func(string) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			if eerr := emit(line); eerr != nil {
				return eerr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
	}
}

// readCSVColumn calls emit with the value of column in every row of the CSV
// file path after its header row. A missing column is bad usage, with the
// columns the file has.
func readCSVColumn(path, column string, emit func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError{fmt.Errorf("--csv: %w", err)}
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return usageError{fmt.Errorf("%s: empty file: a header row naming the columns is required", path)}
	}
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", path, err)}
	}
	col := -1
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.TrimSpace(h)
		if col < 0 && strings.EqualFold(names[i], strings.TrimSpace(column)) {
			col = i
		}
	}
	if col < 0 {
		return usageError{fmt.Errorf("%s: no column %q; the columns are: %s", path, column, strings.Join(names, ", "))}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return usageError{fmt.Errorf("%s: %w", path, err)}
		}
		text := ""
		if col < len(rec) {
			text = rec[col]
		}
		if err := emit(text); err != nil {
			return err
		}
	}
}
