// Package policy holds the policy profiles (政策配置) that tell the case engine
// how each regulated process runs: its steps, who acts at each step, the
// working-day deadlines, the extension rule, what a refusal must carry and,
// for recurring duties, the period.
//
// Five profiles are built in, one per regulation in the seed texts:
// jiamusi (JMS, 佳木斯), qingyang (QY, 庆阳), zhangjiakou (ZJK, 张家口),
// yunnan (YN, 云南, province level) and weihai (WH, 威海). They are embedded
// JSON files under profiles/, and every value in them names the article it
// comes from, written TAG§N, TAG§N-M or TAG§N(三) — "YN§29" is 云南 第二十九条.
//
// Every profile defines the same fourteen processes (see ProcessIDs), so that
// a deployment can switch profiles without losing a case type. Where a
// regulation is silent the process is still present with Regulated false and
// its deadlines marked Default: platform values (feedback 10 WD as WH§25,
// correction 5, conditional share 5, conditional open 10, catalog review 5,
// catalog update 15, data return 5, fixing a returned case 10) that let the
// engine run it. A deployment picks one profile and may adjust deadlines with
// Overrides; an override is recorded as such, never as the regulation's word.
//
// The package implements the "Policy profiles" table of REQUIREMENTS.md and
// the deadline rules of B3, E2, F2-F3, F9, G3, G5, C6, H5, H12 and F6. Where
// that table and the texts disagree the profiles follow the texts and say so
// in the process notes.
package policy
