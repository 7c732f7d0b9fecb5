package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongshu/internal/catalog"
)

// Synthetic rows for the demo catalog: values valid against each item
// (type, length, enumeration, identifier check characters) that look like
// what the item's name says — Chinese personal and company names, Kunming
// addresses, phone numbers, document numbers.

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈")
	givenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志文云海波")
	districts  = []string{"五华区", "盘龙区", "官渡区", "西山区", "呈贡区", "晋宁区", "东川区", "安宁市", "嵩明县", "宜良县"}
	roads      = []string{"人民中路", "北京路", "东风西路", "青年路", "滇池路", "金碧路", "环城南路", "春城路", "广福路", "彩云北路"}
	brands     = []string{"滇池", "春城", "彩云", "金马", "碧鸡", "翠湖", "螺峰", "官渡", "呈贡", "盘龙", "五华", "云岭"}
	trades     = []string{"商贸", "科技", "餐饮", "物流", "建材", "医药", "农业", "文化", "旅游", "信息技术", "食品", "建设"}
	forms      = []string{"有限公司", "有限责任公司", "股份有限公司"}
	words      = map[string][]string{
		"状态": {"存续", "在业", "注销", "吊销"}, "结果": {"未发现问题", "责令整改", "合格", "不合格"}, "结论": {"合格", "不合格"},
		"险种": {"企业职工基本养老保险", "失业保险", "工伤保险"}, "等级": {"五级", "四级", "三级", "二级"}, "形式": {"单位就业", "灵活就业", "自主创业"},
		"类别": {"电梯", "锅炉", "压力容器", "起重机械"}, "门类": {"批发和零售业", "制造业", "住宿和餐饮业", "信息传输、软件和信息技术服务业"},
		"项目": {"预包装食品销售", "热食类食品制售", "散装食品销售"}, "范围": {"职业介绍", "人力资源供求信息收集和发布", "人才测评"},
		"领域": {"质量管理体系认证", "环境管理体系认证", "产品认证"}, "工种": {"电工", "焊工", "育婴员", "中式烹调师"},
	}
)

// Enterprise returns the i-th synthetic enterprise, the same for every
// resource, so that resources naming enterprise i agree with each other.
func Enterprise(i int) (name, uscc string) {
	i = ((i % 500) + 500) % 500
	name = "昆明" + brands[i%len(brands)] + trades[(i/len(brands))%len(trades)] + forms[i%len(forms)]
	if i >= len(brands)*len(trades) {
		name = "昆明" + brands[i%len(brands)] + strconv.Itoa(i) + trades[(i/7)%len(trades)] + forms[i%len(forms)]
	}
	return name, USCC("91", "530100", 1000+i)
}

// Person returns the i-th synthetic person: a name and a valid citizen ID number.
func Person(i int) (name, citizenID string) {
	i = ((i % 2000) + 2000) % 2000
	name = string(surnames[i%len(surnames)]) + string(givenChars[(i*7)%len(givenChars)])
	if i%3 == 0 {
		name += string(givenChars[(i*13+5)%len(givenChars)])
	}
	birth := fmt.Sprintf("%04d%02d%02d", 1950+i%55, 1+i%12, 1+i%28)
	return name, CitizenID(districtCode(i), birth, i%1000)
}

func districtCode(i int) string {
	return []string{"530102", "530103", "530111", "530112", "530114"}[i%5]
}

// Rows returns n rows of synthetic values for items, one string per item
// in order, the same for a seed.
func Rows(items []catalog.Item, n int, seed int64) [][]string {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	out := make([][]string, n)
	for k := range out {
		person := r.IntN(2000)
		ent := r.IntN(500)
		row := make([]string, len(items))
		for i, it := range items {
			row[i] = fit(it, value(it, r, person, ent))
		}
		out[k] = row
	}
	return out
}

func value(it catalog.Item, r *rand.Rand, person, ent int) string {
	name := it.Name
	if len(it.Enum) > 0 {
		return it.Enum[r.IntN(len(it.Enum))]
	}
	switch it.IDKind {
	case catalog.IDCitizen:
		_, id := Person(person)
		return id
	case catalog.IDUSCC:
		_, code := Enterprise(ent)
		return code
	}
	switch it.DataType {
	case "integer":
		switch {
		case strings.Contains(name, "年度"):
			return strconv.Itoa(2020 + r.IntN(6))
		case strings.Contains(name, "人数") || strings.Contains(name, "件数") || strings.Contains(name, "户数"):
			return strconv.Itoa(1 + r.IntN(5000))
		}
		if it.Length > 0 && it.Length < 3 {
			return strconv.Itoa(r.IntN(pow10(it.Length)))
		}
		return strconv.Itoa(r.IntN(1000))
	case "decimal":
		if strings.Contains(name, "率") {
			return fmt.Sprintf("%d.%02d", r.IntN(100), r.IntN(100))
		}
		whole := 100000
		if it.Length > 0 && it.Length-2 < 5 {
			whole = pow10(max(it.Length-2, 1))
		}
		return fmt.Sprintf("%d.%02d", r.IntN(whole), r.IntN(100))
	case "date":
		if strings.Contains(name, "有效期") {
			return fmt.Sprintf("%d-%02d-%02d", 2027+r.IntN(4), 1+r.IntN(12), 1+r.IntN(28))
		}
		return fmt.Sprintf("%d-%02d-%02d", 2015+r.IntN(11), 1+r.IntN(12), 1+r.IntN(28))
	case "datetime":
		return fmt.Sprintf("%d-%02d-%02d %02d:%02d:00", 2020+r.IntN(6), 1+r.IntN(12), 1+r.IntN(28), 8+r.IntN(10), r.IntN(60))
	case "boolean":
		return strconv.FormatBool(r.IntN(2) == 0)
	}
	switch {
	case strings.HasSuffix(name, "姓名") || name == "法定代表人" || strings.HasSuffix(name, "人姓名"):
		n, _ := Person(person)
		return n
	case strings.Contains(name, "电话"):
		return fmt.Sprintf("1%d%09d", []int{38, 39, 58, 87}[r.IntN(4)], r.IntN(1000000000))
	case strings.Contains(name, "住所") || strings.Contains(name, "地址") || strings.Contains(name, "场所") || strings.Contains(name, "地点"):
		return "云南省昆明市" + districts[r.IntN(len(districts))] + roads[r.IntN(len(roads))] + strconv.Itoa(1+r.IntN(400)) + "号"
	case strings.Contains(name, "月份"):
		return fmt.Sprintf("%d-%02d", 2025+r.IntN(2), 1+r.IntN(10))
	case name == "区县":
		return districts[r.IntN(len(districts))]
	case strings.Contains(name, "文号"):
		return fmt.Sprintf("昆市监处罚〔%d〕%d号", 2020+r.IntN(6), 1+r.IntN(999))
	case strings.Contains(name, "编号") || strings.Contains(name, "批准号") || strings.Contains(name, "代码"):
		return fmt.Sprintf("KM%d%08d", 2020+r.IntN(6), r.IntN(100000000))
	case strings.Contains(name, "名称") || strings.Contains(name, "单位") || strings.Contains(name, "人名称"):
		if strings.Contains(name, "产品") || strings.Contains(name, "器具") {
			return []string{"电动自行车", "儿童玩具", "燃气灶具", "电子计价秤", "血压计"}[r.IntN(5)]
		}
		n, _ := Enterprise(ent)
		return n
	case strings.Contains(name, "事实"):
		return "经查，当事人未按规定履行" + []string{"公示义务", "登记义务", "安全管理义务"}[r.IntN(3)] + "，违反相关规定。"
	case strings.Contains(name, "依据"):
		return "《中华人民共和国" + []string{"市场主体登记管理条例", "食品安全法", "产品质量法"}[r.IntN(3)] + "》"
	case strings.Contains(name, "期限"):
		return fmt.Sprintf("%d年%d月至%d年%d月", 2024, 1+r.IntN(12), 2026+r.IntN(3), 1+r.IntN(12))
	case strings.Contains(name, "范围") || strings.Contains(name, "内容"):
		return words["范围"][r.IntN(len(words["范围"]))]
	}
	for k, list := range words {
		if strings.Contains(name, k) {
			return list[r.IntN(len(list))]
		}
	}
	return name + strconv.Itoa(1+r.IntN(999))
}

// fit cuts a string value to the item's length in characters.
func fit(it catalog.Item, v string) string {
	if it.DataType != "string" || it.Length <= 0 || utf8.RuneCountInString(v) <= it.Length {
		return v
	}
	return string([]rune(v)[:it.Length])
}

func pow10(n int) int {
	v := 1
	for range n {
		v *= 10
	}
	return v
}
