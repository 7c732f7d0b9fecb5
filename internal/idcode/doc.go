// Package idcode validates the identifiers that records of public data carry.
// Requirement C4 says every record names its subject by a validated
// identifier — a citizen ID number for a person or a unified social credit
// code for an organization (YN§20, WH§10) — so a malformed or mistyped number
// is refused at the point of entry, with a message telling the user what to
// fix, instead of being stored.
//
// Citizen ID numbers (公民身份号码) follow GB 11643-1999: 18 characters, a
// 6-digit address code whose first two digits must be a province-level code
// (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82), an 8-digit birth
// date YYYYMMDD that must exist in the calendar, be no earlier than 1800 and
// not later than today (China Standard Time, UTC+8, unless
// [ValidateCitizenIDAt] is given another date), a 3-digit sequence code and an
// ISO 7064 MOD 11-2 check character (0–9 or X). A lower-case x is accepted and
// [NormalizeCitizenID] upper-cases it.
//
// Unified social credit codes (统一社会信用代码) follow GB 32100-2015: 18
// characters from the 31-character set 0–9 and A–Z without I, O, Z, S and V;
// a registration authority code (1–9, A, N or Y), an organization category
// digit (1–9), a 6-digit administrative division code, a 9-character
// organization code (主体标识码) that carries its own GB 11714-1997 check
// character, and a final mod-31 check character (ISO 7064-style weights
// 3^(i-1) mod 31). Lower-case letters are accepted and [NormalizeUSCC]
// upper-cases them.
//
// Input is never trimmed or otherwise repaired silently: surrounding or
// embedded whitespace and full-width (non-ASCII) characters are rejected with
// an [*Error] whose Code is "whitespace" or "charset", so the user sees and
// corrects what was actually typed. Every rejection is an [*Error] with a
// stable Code and messages in Chinese and English.
package idcode
