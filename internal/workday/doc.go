// Package workday is the official Chinese working-day calendar — the
// statutory holidays and the adjusted working days (调休上班) of the State
// Council General Office's yearly notices (国务院办公厅关于部分节假日安排的通知)
// — and the deadline arithmetic with which the deadlines of all processes of
// the platform are counted.
//
// The rule follows 民法典 第二百零一条 (Civil Code art. 201): a period counted
// in days starts on the day after the triggering event, so the day of receipt
// is not counted. A deadline of N working days is the N-th working day
// strictly after the receipt date, and it ends at the end of that day. Dates
// are civil dates in China Standard Time (Asia/Shanghai), whatever zone the
// instant was given in. A working day is a weekday that is not a holiday, or
// a weekend day the notice makes a working day.
//
// A date in a year whose notice the calendar does not hold is an error
// (ErrUnknownYear), never a guess from weekends: the next year's arrangement
// is usually published only in November or December.
//
// The built-in data (data/cn-2019-2026.json, 2019–2026) is described in
// docs/data-sources-workday.md; later years are imported in the same format
// and replace whole years. A Calendar is immutable and safe for concurrent use.
package workday
