package cases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
)

// Family is a kind of reason a customer is at risk; each has one play.
type Family string

// The driver families.
const (
	// FamilyUsage: usage fell or stopped.
	FamilyUsage Family = "usage"
	// FamilyTickets: negative tickets or tickets that ask to leave.
	FamilyTickets Family = "tickets"
	// FamilyOffer: visits to the pricing, downgrade, refund, billing or
	// cancel pages.
	FamilyOffer Family = "offer"
	// FamilyCompetitor: visits to competitor pages, or a ticket naming a
	// switch to another product.
	FamilyCompetitor Family = "competitor"
	// FamilyExport: visits to the data-export pages.
	FamilyExport Family = "export"
	// FamilyOther: the account's attributes (plan, tenure, MRR, ...), when
	// no behaviour stands out.
	FamilyOther Family = "other"
)

// Families lists every family; a play table has one play for each.
var Families = []Family{FamilyUsage, FamilyTickets, FamilyOffer, FamilyCompetitor, FamilyExport, FamilyOther}

// FamilyOf returns the family of a feature.
func FamilyOf(feature string) Family {
	switch feature {
	case features.Usage7d, features.Usage30d, features.UsagePrev30d, features.UsageDrop30d, features.UsageDrop7d,
		features.DaysSinceActive, features.ActiveDays30d, features.UsageTrend, features.PageViews30d:
		return FamilyUsage
	case features.Tickets30d, features.Tickets90d, features.SentimentMean90d, features.SentimentMin90d,
		features.NegativeTickets90d, features.DaysSinceNegTicket, features.IntentTickets90d:
		return FamilyTickets
	case features.VisitFeature(signals.CatCompetitor):
		return FamilyCompetitor
	case features.VisitFeature(signals.CatExport):
		return FamilyExport
	case features.RiskVisitDays30d, features.VisitFeature(signals.CatPricing), features.VisitFeature(signals.CatDowngrade),
		features.VisitFeature(signals.CatRefund), features.VisitFeature(signals.CatBilling), features.VisitFeature(signals.CatCancel):
		return FamilyOffer
	}
	return FamilyOther
}

// Text is a play's name and what it asks the agent to do.
type Text struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// Play is what a support team is asked to do for a case.
type Play struct {
	ID     string `json:"id"`
	Family Family `json:"family"`
	Text
	// Translations holds the name and text in other languages, by language
	// tag (zh-TW, zh-CN).
	Translations map[string]Text `json:"translations,omitempty"`
}

// In returns the play's name and text in language lang (a tag such as
// zh-TW), or the play's own when it has no translation.
func (p Play) In(lang string) Text {
	if t, ok := p.Translations[lang]; ok {
		return t
	}
	return p.Text
}

// Plays is a play table: one play for each family.
type Plays map[Family]Play

// Suggest returns the play of the strongest family among drivers: the
// family whose drivers raise the score most in all (positive impacts
// summed). A ticket family whose tickets name a switch to another product
// (competitorTicket) gets the competitor play. With no driver raising the
// score, the play of FamilyOther.
func (t Plays) Suggest(drivers []Driver, competitorTicket bool) Play {
	sum := map[Family]float64{}
	for _, d := range drivers {
		if d.Impact > 0 {
			sum[FamilyOf(d.Feature)] += d.Impact
		}
	}
	best, top := FamilyOther, 0.0
	for _, f := range Families { // a fixed order, so that ties are decided the same way
		if sum[f] > top {
			best, top = f, sum[f]
		}
	}
	if best == FamilyTickets && competitorTicket {
		best = FamilyCompetitor
	}
	return t[best]
}

// DefaultPlays is the play table a business gets until it gives its own.
func DefaultPlays() Plays {
	return Plays{
		FamilyUsage: {ID: "reonboard", Family: FamilyUsage,
			Text: Text{"Re-onboarding call", "Usage is falling. Book a call to walk the team through the workflows they stopped using, and send the training resources for them."},
			Translations: map[string]Text{
				"zh-TW": {"重新導入通話", "使用量正在下降。約一通電話，帶團隊重新走一遍他們不再使用的流程，並寄上相關的教學資源。"},
				"zh-CN": {"重新引导通话", "使用量正在下降。约一次通话，带团队重新走一遍他们不再使用的流程，并发送相关的培训资料。"},
			}},
		FamilyTickets: {ID: "escalate", Family: FamilyTickets,
			Text: Text{"Escalate to a senior agent", "Their tickets are negative or ask to leave. Hand the open problem to a senior agent today, and answer what they asked before anything else."},
			Translations: map[string]Text{
				"zh-TW": {"轉交資深客服", "客戶的工單語氣負面或提到要離開。今天就把未解決的問題轉交資深客服，先回應他們提出的問題。"},
				"zh-CN": {"转交资深客服", "客户的工单语气负面或提到要离开。今天就把未解决的问题转交资深客服，先回应他们提出的问题。"},
			}},
		FamilyOffer: {ID: "plan-review", Family: FamilyOffer,
			Text: Text{"Plan review and offer", "They are looking at prices, downgrades, refunds or cancelling. Review their plan with them and offer the plan or terms that fit what they use."},
			Translations: map[string]Text{
				"zh-TW": {"方案檢視與優惠", "客戶正在查看價格、降級、退費或取消頁面。與他們一起檢視方案，提供符合實際使用量的方案或條件。"},
				"zh-CN": {"方案评估与优惠", "客户正在查看价格、降级、退款或取消页面。与他们一起评估方案，提供符合实际用量的方案或条件。"},
			}},
		FamilyCompetitor: {ID: "business-review", Family: FamilyCompetitor,
			Text: Text{"Executive business review", "They are looking at other products. Set up a business review with their decision maker: the results so far, the roadmap, what a switch would cost them."},
			Translations: map[string]Text{
				"zh-TW": {"高層業務檢視", "客戶正在評估其他產品。安排與決策者的業務檢視會議：目前的成效、產品路線圖，以及轉換的成本。"},
				"zh-CN": {"高层业务复盘", "客户正在评估其他产品。安排与决策者的业务复盘会议：目前的成效、产品路线图，以及迁移的成本。"},
			}},
		FamilyExport: {ID: "data-needs", Family: FamilyExport,
			Text: Text{"Ask about their data needs", "They are exporting their data. Ask what they need the data for: a report or an integration may keep them, and a planned move shows early."},
			Translations: map[string]Text{
				"zh-TW": {"了解資料需求", "客戶正在匯出資料。詢問他們需要這些資料做什麼：一份報表或一個整合可能就能留住他們，也能及早發現搬遷計畫。"},
				"zh-CN": {"了解数据需求", "客户正在导出数据。询问他们需要这些数据做什么：一份报表或一个集成可能就能留住他们，也能及早发现迁移计划。"},
			}},
		FamilyOther: {ID: "check-in", Family: FamilyOther,
			Text: Text{"Account check-in", "Nothing in their behaviour stands out, but accounts like this one leave. Check in with the account owner and ask how the product is working for them."},
			Translations: map[string]Text{
				"zh-TW": {"帳號關懷聯繫", "客戶的行為沒有明顯異常，但類似的帳號容易流失。主動聯繫帳號負責人，了解產品使用情況。"},
				"zh-CN": {"账号关怀回访", "客户的行为没有明显异常，但类似的账号容易流失。主动联系账号负责人，了解产品使用情况。"},
			}},
	}
}

// Play table limits.
const (
	maxPlayName = 120
	maxPlayText = 2000
)

// LoadPlays reads a play table from a JSON file: {"plays": [play, ...]},
// one play for each family (usage, tickets, offer, competitor, export,
// other). A family the file leaves out keeps its default play. Errors name
// the file and the field (plays[2].name).
func LoadPlays(path string) (Plays, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f struct {
		Plays []Play `json:"plays"`
	}
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Plays) == 0 {
		return nil, fmt.Errorf("%s: plays: no play", path)
	}
	t := DefaultPlays()
	seen := map[Family]bool{}
	ids := map[string]bool{}
	for i, p := range f.Plays {
		at := func(field string, format string, a ...any) error {
			return fmt.Errorf("%s: plays[%d].%s: %s", path, i, field, fmt.Sprintf(format, a...))
		}
		known := false
		for _, fam := range Families {
			known = known || fam == p.Family
		}
		switch {
		case !known:
			return nil, at("family", "%q is not a family: want one of %s", p.Family, familyList())
		case seen[p.Family]:
			return nil, at("family", "a second play for %q", p.Family)
		case strings.TrimSpace(p.ID) == "" || len(p.ID) > 64:
			return nil, at("id", "want 1 to 64 characters")
		case ids[p.ID]:
			return nil, at("id", "%q is used twice", p.ID)
		}
		if err := checkPlayText(p.Text); err != nil {
			return nil, at(err.field, "%s", err.msg)
		}
		for lang, tr := range p.Translations {
			if err := checkPlayText(tr); err != nil {
				return nil, at("translations."+lang+"."+err.field, "%s", err.msg)
			}
		}
		seen[p.Family], ids[p.ID] = true, true
		t[p.Family] = p
	}
	for fam, p := range t {
		if !seen[fam] && ids[p.ID] {
			return nil, fmt.Errorf("%s: play id %q is also the default play of %q: choose another id", path, p.ID, fam)
		}
	}
	return t, nil
}

type textError struct{ field, msg string }

func checkPlayText(t Text) *textError {
	if strings.TrimSpace(t.Name) == "" {
		return &textError{"name", "empty"}
	}
	if err := checkText(t.Name, maxPlayName); err != nil {
		return &textError{"name", err.Error()}
	}
	if strings.TrimSpace(t.Text) == "" {
		return &textError{"text", "empty"}
	}
	if err := checkText(t.Text, maxPlayText); err != nil {
		return &textError{"text", err.Error()}
	}
	return nil
}

func familyList() string {
	s := make([]string, len(Families))
	for i, f := range Families {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}
