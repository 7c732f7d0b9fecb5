package catalog

import (
	"strings"
	"unicode"
)

// Tokens turns text into search tokens: overlapping bigrams for runs of
// Chinese characters (人口基本信息 → 人口 口基 基本 本信 信息; a lone character
// stays itself) and lower-cased words for Latin letters and digits, so that
// mixed text such as "GDP统计2024" gives gdp 统计 2024.
func Tokens(s string) []string {
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
		switch len(han) {
		case 0:
		case 1:
			out = append(out, string(han))
		default:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			out = append(out, strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, r)
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

// singleHan reports whether a token is one Chinese character (searched as a prefix).
func singleHan(tok string) bool {
	r := []rune(tok)
	return len(r) == 1 && unicode.Is(unicode.Han, r[0])
}
