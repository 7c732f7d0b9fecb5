// Package catalog is the unified public data catalog (公共数据资源目录, B1–B7,
// idea 1: the catalog drives everything). Institutions compile entries — a
// resource (数据资源) with its data items (数据项) and its share, open, level
// and legal attributes — the data authority reviews them through the case
// engine, and approved versions are published. Editing a published entry
// opens a new version that goes through review while the published one stays
// live; every version is kept with a readable diff.
package catalog

import "time"

// Library is the kind of database a resource belongs to (YN§10, WH§12).
type Library string

const (
	LibraryBase       Library = "base"       // 基础库
	LibraryThematic   Library = "thematic"   // 主题库
	LibraryDepartment Library = "department" // 部门库
)

// BaseDatabases are the base libraries of YN§10 / WH§12.
var BaseDatabases = []string{"人口", "法人", "自然资源和空间地理", "社会信用", "电子证照"}

// Themes are the thematic libraries named in YN§10 and WH§12.
var Themes = []string{"医疗健康", "政务服务", "社会保障", "生态环保", "信用", "应急管理", "税收征管", "市场监管", "交通运输", "教育", "文化旅游", "公共安全"}

// ShareType is the share attribute (共享属性, F1).
type ShareType string

const (
	ShareUnconditional ShareType = "unconditional"
	ShareConditional   ShareType = "conditional"
	ShareNone          ShareType = "none"
)

// OpenType is the open attribute (开放属性, G1).
type OpenType string

const (
	OpenUnconditional OpenType = "unconditional"
	OpenConditional   OpenType = "conditional"
	OpenNone          OpenType = "none"
)

// openRank orders open types from most to least open, for downgrade checks (WH§22).
var openRank = map[OpenType]int{OpenUnconditional: 2, OpenConditional: 1, OpenNone: 0}

// Method is a share method (共享方式, F5).
type Method string

const (
	MethodAPI     Method = "api"
	MethodBulk    Method = "bulk"
	MethodOffline Method = "offline"
)

// Frequency is the update frequency (更新频率, C2).
type Frequency string

// Frequencies lists the valid update frequencies, most frequent first.
var Frequencies = []Frequency{"realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular"}

// Level is a grade of GB/T 43697-2024 (数据分类分级): core, important, general.
type Level string

const (
	LevelCore      Level = "core"
	LevelImportant Level = "important"
	LevelGeneral   Level = "general"
)

// PI marks personal information (个人信息 / 敏感个人信息).
type PI string

const (
	PINone      PI = ""
	PIPersonal  PI = "personal"
	PISensitive PI = "sensitive"
)

// IDKind is the kind of identifier an item holds (C4).
type IDKind string

const (
	IDNone      IDKind = ""
	IDCitizen   IDKind = "citizen_id"
	IDUSCC      IDKind = "uscc"
	IDOtherCode IDKind = "other"
)

// DataTypes are the item data types.
var DataTypes = []string{"string", "integer", "decimal", "date", "datetime", "boolean"}

// Item is a data item (信息项 / 数据项) of a resource.
type Item struct {
	Name        string   `json:"name"`
	Code        string   `json:"code,omitempty"` // column name for the dataset, ASCII
	DataType    string   `json:"data_type"`
	Length      int      `json:"length,omitempty"`
	Description string   `json:"description,omitempty"`
	IDKind      IDKind   `json:"id_kind,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Level       Level    `json:"level,omitempty"`
	SubLevel    string   `json:"sub_level,omitempty"`
	PI          PI       `json:"pi,omitempty"`
	// Suggested is what the platform guessed from the name or samples
	// (e.g. "citizen_id", "phone"); the compiler confirms or clears it.
	Suggested string `json:"suggested,omitempty"`
	Confirmed bool   `json:"confirmed,omitempty"`
	// Key marks the items that identify a record (主键); loads upsert by them.
	Key bool `json:"key,omitempty"`
	// Element is the standard data element the item holds (e.g. 企业名称),
	// defaulting to the item's name; Authoritative marks this resource as the
	// element's authoritative source (一数一源, C5: JMS§8, QY§13), compared
	// with other resources through the record's identifier.
	Element       string `json:"element,omitempty"`
	Authoritative bool   `json:"authoritative,omitempty"`
}

// ElementName is the data element an item holds.
func (it Item) ElementName() string {
	if it.Element != "" {
		return it.Element
	}
	return it.Name
}

// Entry is the content of one version of a catalog entry (B2).
type Entry struct {
	Name              string    `json:"name"`
	Summary           string    `json:"summary"`
	Library           Library   `json:"library"`
	BaseDatabase      string    `json:"base_database,omitempty"`
	Themes            []string  `json:"themes,omitempty"`
	DataForm          string    `json:"data_form"` // table, file, api, geo, image, other
	Formats           []string  `json:"formats,omitempty"`
	Items             []Item    `json:"items"`
	SourceSystem      string    `json:"source_system,omitempty"`
	UpdateFrequency   Frequency `json:"update_frequency"`
	Level             Level     `json:"level"`
	SubLevel          string    `json:"sub_level,omitempty"`
	PI                PI        `json:"pi,omitempty"`
	ShareType         ShareType `json:"share_type"`
	ShareConditions   string    `json:"share_conditions,omitempty"`
	ShareScope        string    `json:"share_scope,omitempty"`
	ShareMethods      []Method  `json:"share_methods,omitempty"`
	OpenType          OpenType  `json:"open_type"`
	OpenConditions    string    `json:"open_conditions,omitempty"`
	OpenMethod        string    `json:"open_method,omitempty"`
	OpenChangeBasis   string    `json:"open_change_basis,omitempty"` // "deidentified" or "consent" when a non-open resource opens (WH§22, YN§32)
	OpenChangeNote    string    `json:"open_change_note,omitempty"`
	UsageRequirements string    `json:"usage_requirements,omitempty"`
	LegalBasis        string    `json:"legal_basis,omitempty"`
	CollectingDept    string    `json:"collecting_dept,omitempty"`
	ApprovingDept     string    `json:"approving_dept,omitempty"`
	ProvidingDept     string    `json:"providing_dept,omitempty"`
	Contact           string    `json:"contact,omitempty"`
	SpatialCoverage   string    `json:"spatial_coverage,omitempty"` // region code
	TemporalCoverage  string    `json:"temporal_coverage,omitempty"`
	Licence           string    `json:"licence,omitempty"`
	Related           []string  `json:"related,omitempty"`
	// CollectionRecorded: records must carry collection time and place (WH§10, YN§20).
	CollectionRecorded bool     `json:"collection_recorded,omitempty"`
	Tags               []string `json:"tags,omitempty"`
}

// Status of a resource version.
type Status string

const (
	StatusDraft      Status = "draft"
	StatusInReview   Status = "in_review"
	StatusReturned   Status = "returned"
	StatusPublished  Status = "published"
	StatusSuperseded Status = "superseded"
	StatusRefused    Status = "refused"
	StatusWithdrawn  Status = "withdrawn"
)

// Resource is a catalog entry with its versions' summary.
type Resource struct {
	ID               string    `json:"id"`
	Code             string    `json:"code"`
	ProviderOrgID    string    `json:"provider_org_id"`
	ProviderName     string    `json:"provider_name"`
	RegionCode       string    `json:"region_code"`
	PublishedVersion int       `json:"published_version"` // 0: never published
	LatestVersion    int       `json:"latest_version"`
	LatestStatus     Status    `json:"latest_status"`
	Entry            Entry     `json:"entry"` // of the version asked for (published, or latest for its staff)
	Version          int       `json:"version"`
	CaseID           string    `json:"case_id,omitempty"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Version is one stored version.
type Version struct {
	Version   int       `json:"version"`
	Status    Status    `json:"status"`
	CaseID    string    `json:"case_id,omitempty"`
	AuthorID  string    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	Changes   []Change  `json:"changes,omitempty"` // against the previous version
}

// Change is one field's difference between versions.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}
