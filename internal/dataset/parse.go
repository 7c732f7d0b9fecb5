package dataset

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongshu/internal/apperr"
)

// source streams the rows of a file or batch: the header first, then rows
// with the line (or record) number people see in their editor.
type source interface {
	Header() []string
	// Next returns io.EOF after the last row.
	Next() (row []string, line int64, err error)
	Close() error
}

// Formats accepted by loads.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
	FormatJSON = "json"
)

// detectFormat decides a file's format from its name and first bytes.
func detectFormat(name string, head []byte) string {
	lower := strings.ToLower(name)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || strings.HasSuffix(lower, ".xlsx"):
		return FormatXLSX
	case strings.HasSuffix(lower, ".json"):
		return FormatJSON
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		return FormatJSON
	}
	return FormatCSV
}

var (
	errEmpty = apperr.New(apperr.Invalid, "文件为空：没有表头和数据行", "the file is empty: no header and no rows")
)

// openSource opens path in format.
func openSource(path, format string, maxUnzip int64) (source, error) {
	switch format {
	case FormatXLSX:
		return openXLSX(path, maxUnzip)
	case FormatJSON:
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		src, err := newJSONSource(f, f)
		if err != nil {
			f.Close()
		}
		return src, err
	case FormatCSV, "":
		return openCSV(path)
	}
	return nil, apperr.Newf(apperr.Invalid, "不支持的格式 %q：请上传 CSV、XLSX 或 JSON", "unsupported format %q: upload CSV, XLSX or JSON", format)
}

// --- CSV ---

type csvSource struct {
	f      *os.File
	r      *csv.Reader
	header []string
	utf8   bool
	style  string
}

// styler is a source that knows how its file was written (line endings,
// byte order mark), so that downloads can be written the same way (QY§23).
type styler interface{ Style() string }

// Style is "crlf", "bom", "bom+crlf" or "".
func (c *csvSource) Style() string { return c.style }

// openCSV sniffs the encoding — a UTF-8 BOM, valid UTF-8, else GB18030 —
// and refuses UTF-16 and binary files up front.
func openCSV(path string) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(64 << 10)
	if len(head) == 0 {
		f.Close()
		return nil, errEmpty
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "文件是 UTF-16 编码：请另存为 UTF-8 或 GB18030（GBK）的 CSV", "the file is UTF-16: save it as CSV in UTF-8 or GB18030 (GBK)")
	}
	if bytes.IndexByte(head, 0) >= 0 {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "文件不是文本（含二进制内容）：请上传 CSV、XLSX 或 JSON", "the file is not text (binary content): upload CSV, XLSX or JSON")
	}
	var r io.Reader = br
	isUTF8 := true
	var style []string
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		style = append(style, "bom")
	}
	if i := bytes.IndexByte(head, '\n'); i > 0 && head[i-1] == '\r' {
		style = append(style, "crlf")
	}
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	} else if !validPrefix(head) {
		isUTF8 = false
		if _, err := simplifiedchinese.GB18030.NewDecoder().Bytes(trimPartial(head)); err != nil {
			f.Close()
			return nil, apperr.New(apperr.Invalid, "文件编码无法识别：请使用 UTF-8 或 GB18030（GBK）", "unknown encoding: use UTF-8 or GB18030 (GBK)")
		}
		r = simplifiedchinese.GB18030.NewDecoder().Reader(br)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		f.Close()
		return nil, errEmpty
	}
	if err != nil {
		f.Close()
		return nil, csvError(err)
	}
	header = append([]string(nil), header...)
	if !isUTF8 && strings.ContainsRune(strings.Join(header, ""), utf8.RuneError) {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "文件编码无法识别：请使用 UTF-8 或 GB18030（GBK）", "unknown encoding: use UTF-8 or GB18030 (GBK)")
	}
	return &csvSource{f: f, r: cr, header: header, utf8: isUTF8, style: strings.Join(style, "+")}, nil
}

// validPrefix reports whether b is valid UTF-8, allowing a rune cut at the end.
func validPrefix(b []byte) bool { return utf8.Valid(trimPartial(b)) }

func trimPartial(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		r, _ := utf8.DecodeLastRune(b)
		if r != utf8.RuneError {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Newf(apperr.Invalid, "CSV 格式错误（第 %d 行第 %d 列）：引号不配对或字段中有多余的引号，请检查该行",
			"malformed CSV at line %d, column %d: unbalanced or stray quotes; check that line", pe.Line, pe.Column)
	}
	return err
}

func (c *csvSource) Header() []string { return c.header }

func (c *csvSource) Next() ([]string, int64, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		return nil, 0, csvError(err)
	}
	line, _ := c.r.FieldPos(0)
	if len(rec) == 1 && rec[0] == "" {
		return []string{}, int64(line), nil // a blank line
	}
	if !c.utf8 {
		for _, v := range rec {
			if strings.ContainsRune(v, utf8.RuneError) {
				return nil, 0, apperr.Newf(apperr.Invalid, "第 %d 行含无法识别的字符：文件编码混杂，请统一保存为 UTF-8 或 GB18030", "line %d has characters that cannot be decoded: the file mixes encodings; save it as UTF-8 or GB18030", line)
			}
		}
	} else {
		for _, v := range rec {
			if !utf8.ValidString(v) {
				return nil, 0, apperr.Newf(apperr.Invalid, "第 %d 行不是有效的 UTF-8 文本：文件编码混杂，请统一保存为 UTF-8 或 GB18030", "line %d is not valid UTF-8: the file mixes encodings; save it as UTF-8 or GB18030", line)
			}
		}
	}
	return rec, int64(line), nil
}

func (c *csvSource) Close() error { return c.f.Close() }

// --- XLSX ---

type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	n      int64
}

// openXLSX refuses workbooks that unpack beyond maxUnzip and sheets with
// formulas (values must be data, not computations of the spreadsheet).
func openXLSX(path string, maxUnzip int64) (source, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "无法读取 Excel 文件（仅支持 .xlsx，不支持旧版 .xls）", "cannot read the Excel file (.xlsx only, not .xls)")
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > uint64(maxUnzip) {
		zr.Close()
		return nil, apperr.Newf(apperr.TooLarge, "Excel 文件解压后达 %d MB，超过 %d MB 上限：请拆分文件或改用 CSV", "the workbook unpacks to %d MB, over the %d MB limit: split it or use CSV",
			total>>20, maxUnzip>>20)
	}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") {
			has, err := hasFormula(f)
			if err != nil {
				zr.Close()
				return nil, apperr.New(apperr.Invalid, "Excel 文件已损坏："+err.Error(), "the workbook is damaged: "+err.Error())
			}
			if has {
				zr.Close()
				return nil, apperr.New(apperr.Invalid, "表格含有公式：请先把公式单元格转换为数值（复制后“选择性粘贴—数值”）再上传", "the sheet contains formulas: convert them to values (copy, paste special, values) before uploading")
			}
		}
	}
	zr.Close()
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxUnzip, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "无法读取 Excel 文件："+err.Error(), "cannot read the Excel file: "+err.Error())
	}
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "无法读取 Excel 工作表："+err.Error(), "cannot read the sheet: "+err.Error())
	}
	x := &xlsxSource{f: f, rows: rows}
	if !rows.Next() {
		x.Close()
		return nil, errEmpty
	}
	x.n = 1
	if x.header, err = rows.Columns(); err != nil {
		x.Close()
		return nil, err
	}
	for len(x.header) > 0 && x.header[len(x.header)-1] == "" {
		x.header = x.header[:len(x.header)-1]
	}
	if len(x.header) == 0 {
		x.Close()
		return nil, errEmpty
	}
	return x, nil
}

// hasFormula scans a worksheet part for a formula element, streaming.
func hasFormula(f *zip.File) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	buf := make([]byte, 256<<10)
	var carry []byte
	for {
		n, err := rc.Read(buf)
		chunk := append(carry, buf[:n]...)
		if bytes.Contains(chunk, []byte("<f>")) || bytes.Contains(chunk, []byte("<f ")) || bytes.Contains(chunk, []byte(":f>")) || bytes.Contains(chunk, []byte(":f ")) {
			return true, nil
		}
		if len(chunk) > 4 {
			carry = append(carry[:0], chunk[len(chunk)-4:]...)
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

func (x *xlsxSource) Header() []string { return x.header }

func (x *xlsxSource) Next() ([]string, int64, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	x.n++
	row, err := x.rows.Columns()
	if err != nil {
		return nil, 0, err
	}
	for len(row) > len(x.header) && row[len(row)-1] == "" {
		row = row[:len(row)-1]
	}
	if len(row) > 0 && len(row) < len(x.header) { // trailing empty cells are omitted by the format
		row = append(row, make([]string, len(x.header)-len(row))...)
	}
	return row, x.n, nil
}

func (x *xlsxSource) Close() error {
	if x.rows != nil {
		x.rows.Close()
	}
	return x.f.Close()
}

// --- JSON ---

// jsonSource reads an array of objects (or {"rows": [...]}) one object at a
// time; the header is the keys of the first object, and later objects may
// not bring new keys.
type jsonSource struct {
	c      io.Closer
	dec    *json.Decoder
	header []string
	index  map[string]int
	first  []string
	n      int64
	done   bool
}

func newJSONSource(r io.Reader, c io.Closer) (*jsonSource, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.UseNumber()
	j := &jsonSource{c: c, dec: dec}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, errEmpty
	}
	if err != nil {
		return nil, jsonError(err)
	}
	if tok == json.Delim('{') { // {"rows": [...]}
		for {
			k, err := dec.Token()
			if err != nil {
				return nil, jsonError(err)
			}
			if k == json.Delim('}') {
				return nil, apperr.New(apperr.Invalid, `JSON 中没有 "rows" 数组`, `the JSON has no "rows" array`)
			}
			if k == "rows" {
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, jsonError(err)
			}
		}
		if tok, err = dec.Token(); err != nil {
			return nil, jsonError(err)
		}
	}
	if tok != json.Delim('[') {
		return nil, apperr.New(apperr.Invalid, "JSON 应为对象数组，如 [{\"数据项\": \"值\"}]", `JSON must be an array of objects such as [{"item": "value"}]`)
	}
	keys, vals, err := j.object()
	if errors.Is(err, io.EOF) {
		return nil, errEmpty
	}
	if err != nil {
		return nil, err
	}
	j.header, j.first = keys, vals
	j.index = map[string]int{}
	for i, k := range keys {
		if _, dup := j.index[k]; dup {
			return nil, apperr.Newf(apperr.Invalid, "JSON 第 1 条记录的字段“%s”重复", "field %q repeats in the first record", k)
		}
		j.index[k] = i
	}
	return j, nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return apperr.Newf(apperr.Invalid, "JSON 格式错误（第 %d 字节附近）：%s", "malformed JSON near byte %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.New(apperr.Invalid, "JSON 不完整：文件在数组结束前中断", "the JSON is truncated before the array ends")
	}
	return apperr.New(apperr.Invalid, "JSON 格式错误："+err.Error(), "malformed JSON: "+err.Error())
}

// object reads the next object of the array (io.EOF at the closing bracket).
func (j *jsonSource) object() ([]string, []string, error) {
	if !j.dec.More() {
		j.dec.Token() // ]
		return nil, nil, io.EOF
	}
	j.n++
	tok, err := j.dec.Token()
	if err != nil {
		return nil, nil, jsonError(err)
	}
	if tok != json.Delim('{') {
		return nil, nil, apperr.Newf(apperr.Invalid, "JSON 第 %d 条记录不是对象", "record %d of the JSON is not an object", j.n)
	}
	var keys, vals []string
	for j.dec.More() {
		k, err := j.dec.Token()
		if err != nil {
			return nil, nil, jsonError(err)
		}
		var v any
		if err := j.dec.Decode(&v); err != nil {
			return nil, nil, jsonError(err)
		}
		s, ok := scalar(v)
		if !ok {
			return nil, nil, apperr.Newf(apperr.Invalid, "JSON 第 %d 条记录的字段“%v”不是单个值（不能是对象或数组）", "record %d: field %v is not a single value (no objects or arrays)", j.n, k)
		}
		keys, vals = append(keys, k.(string)), append(vals, s)
	}
	if _, err := j.dec.Token(); err != nil { // }
		return nil, nil, jsonError(err)
	}
	return keys, vals, nil
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func (j *jsonSource) Header() []string { return j.header }

func (j *jsonSource) Next() ([]string, int64, error) {
	if j.first != nil {
		row := j.first
		j.first = nil
		return row, 1, nil
	}
	if j.done {
		return nil, 0, io.EOF
	}
	keys, vals, err := j.object()
	if errors.Is(err, io.EOF) {
		j.done = true
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, err
	}
	row := make([]string, len(j.header))
	for i, k := range keys {
		at, ok := j.index[k]
		if !ok {
			return nil, 0, apperr.Newf(apperr.Invalid, "JSON 第 %d 条记录有第 1 条记录没有的字段“%s”：每条记录应有相同的字段", "record %d has field %q that the first record lacks: records must share their fields", j.n, k)
		}
		row[at] = vals[i]
	}
	return row, j.n, nil
}

func (j *jsonSource) Close() error {
	if j.c != nil {
		return j.c.Close()
	}
	return nil
}

// rowsSource serves rows already in memory (an API push batch).
type rowsSource struct {
	header []string
	rows   [][]string
	i      int
}

func (r *rowsSource) Header() []string { return r.header }
func (r *rowsSource) Next() ([]string, int64, error) {
	if r.i >= len(r.rows) {
		return nil, 0, io.EOF
	}
	r.i++
	return r.rows[r.i-1], int64(r.i), nil
}
func (r *rowsSource) Close() error { return nil }
