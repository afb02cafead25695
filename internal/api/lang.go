package api

import (
	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/i18n"
)

// langOf returns the language a request asks its sentences in (the drivers'
// reasons, the signals, the at-risk list's top drivers): the ?lang= query
// parameter when given, else the Accept-Language header (i18n.Match; an
// unknown language is English, never an error). The answer varies with the
// header (Vary), and says its language (Content-Language, set by
// answerIn) only once it is a success: a problem is always in English.
func langOf(c *gin.Context) i18n.Lang {
	c.Writer.Header().Add("Vary", "Accept-Language")
	return i18n.Match(c.GetHeader("Accept-Language"), c.Query("lang"))
}

// answerIn marks a successful answer as written in language l.
func answerIn(c *gin.Context, l i18n.Lang) {
	c.Header("Content-Language", l.String())
}
