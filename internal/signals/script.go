package signals

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Script is the writing system of a Chinese text.
type Script string

// Scripts. A text that is not Chinese has none ("").
const (
	ScriptHant Script = "hant" // Traditional Chinese (Taiwan, Hong Kong)
	ScriptHans Script = "hans" // Simplified Chinese (mainland)
)

// The Chinese lexicon and intent phrases are written in Simplified Chinese.
// Traditional text is converted before it is read, character by character
// and with OpenCC's standard phrase table (t2s of
// github.com/longbridgeapp/opencc: pure Go, dictionaries embedded). A text
// that t2s leaves unchanged is Simplified, or written with characters both
// scripts share, and is read as it is.
//
// Taiwan and Hong Kong words stay as they are (帳號 -> 帐号, 當機 -> 当机,
// 登出 -> 登出) and have entries of their own in the lexicon and the intent
// phrases. OpenCC's Taiwan phrase conversion (tw2sp) is not used: it turns
// 登出 (log out) into 注销 (close an account), and its variant table turns
// 么 into 幺 in a Simplified text.
//
// The converter is built once, on first use (about 5 ms), and shared:
// Convert only reads its dictionaries, so it is safe for concurrent use. If
// it cannot be built (the embedded dictionaries are part of the module, so
// this does not happen in practice), texts are read unconverted.
var t2s = sync.OnceValue(func() *opencc.OpenCC { return newConverter("t2s") })

func newConverter(name string) *opencc.OpenCC {
	cc, err := opencc.New(name)
	if err != nil {
		return nil
	}
	return cc
}

// hasHan reports whether text holds a Han character.
func hasHan(text string) bool {
	for _, r := range text {
		if r >= 0x2E80 && unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// simplify returns text in Simplified Chinese and the script it was
// written in: ScriptHant when OpenCC's t2s changes it, ScriptHans when it
// has Han characters that t2s leaves as they are, "" (and text unchanged)
// without Han characters.
func simplify(text string) (string, Script) {
	if !hasHan(text) {
		return text, ""
	}
	if !utf8.ValidString(text) {
		// OpenCC reads runes: invalid bytes would come back as U+FFFD and
		// look like a conversion.
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	cc := t2s()
	if cc == nil {
		return text, ScriptHans
	}
	s, err := cc.Convert(text)
	if err != nil || s == text {
		return text, ScriptHans
	}
	return s, ScriptHant
}

// DetectScript returns the script of a Chinese text (DetectLanguage is
// "zh"): ScriptHant when it holds Traditional characters, ScriptHans
// otherwise (a short text written only with characters both scripts share,
// "好了", is ScriptHans). It returns "" for a text that is not Chinese.
func DetectScript(text string) Script {
	if DetectLanguage(text) != "zh" {
		return ""
	}
	_, s := simplify(text)
	return s
}
