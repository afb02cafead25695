package signals

// Category is a kind of risk page (cancel, pricing, ...).
type Category int

// Risk-page categories. Their order is part of the stored aggregate format:
// append new ones at the end.
const (
	CatCancel Category = iota
	CatDowngrade
	CatPricing
	CatBilling
	CatRefund
	CatExport
	CatCompetitor
	NumCategories = 7
)

// CategoryNames are the stable names of the categories, used in feature names
// and in the JSON pattern file.
var CategoryNames = [NumCategories]string{"cancel", "downgrade", "pricing", "billing", "refund", "export", "competitor"}

// String returns the category's stable name.
func (c Category) String() string {
	if c < 0 || int(c) >= NumCategories {
		return "unknown"
	}
	return CategoryNames[c]
}
