package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/platform"
)

// resourceSpec is a compact demo catalog entry: items are "名称:type:length[:idkind][:pi]".
type resourceSpec struct {
	org, officer, name, summary string
	library                     catalog.Library
	group                       string // base database or theme
	items                       string
	tags                        string
}

var resources = []resourceSpec{
	{"km-market", "data.officer", "企业登记基本信息", "昆明市各类企业的登记基本信息，包括企业名称、统一社会信用代码、法定代表人、注册资本、成立日期和登记状态。", catalog.LibraryBase, "法人",
		"企业名称:string:200;统一社会信用代码:string:18:uscc;法定代表人:string:50;注册资本(万元):decimal:18;成立日期:date:0;登记状态:string:20;住所:string:200", "企业,登记,法人"},
	{"km-market", "data.officer", "个体工商户登记信息", "个体工商户的字号名称、经营者、经营场所、经营范围和登记机关等登记信息。", catalog.LibraryBase, "法人",
		"字号名称:string:200;统一社会信用代码:string:18:uscc;经营者姓名:string:50;经营场所:string:200;经营范围:string:2000", "个体,登记"},
	{"km-market", "data.officer", "食品经营许可信息", "食品经营许可证的许可证编号、经营者名称、经营项目、有效期和发证机关。", catalog.LibraryThematic, "市场监管",
		"许可证编号:string:30;经营者名称:string:200;统一社会信用代码:string:18:uscc;经营项目:string:500;有效期至:date:0", "食品,许可"},
	{"km-market", "data.officer", "行政处罚信息", "市场监管领域作出的行政处罚决定，包括决定书文号、当事人、违法事实、处罚依据、处罚内容和决定日期。", catalog.LibraryThematic, "信用",
		"决定书文号:string:50;当事人名称:string:200;统一社会信用代码:string:18:uscc;违法事实:string:2000;处罚依据:string:500;处罚决定日期:date:0", "处罚,信用"},
	{"km-market", "data.officer", "双随机抽查结果", "双随机、一公开抽查任务的检查对象、检查事项、检查结果和检查日期。", catalog.LibraryThematic, "市场监管",
		"抽查任务编号:string:30;检查对象名称:string:200;统一社会信用代码:string:18:uscc;检查结果:string:50;检查日期:date:0", "抽查,监管"},
	{"km-market", "data.officer", "企业年报公示信息", "企业年度报告中公示的从业人数、资产状况、网站网店和对外投资等信息。", catalog.LibraryDepartment, "",
		"企业名称:string:200;统一社会信用代码:string:18:uscc;年报年度:integer:4;从业人数:integer:10;联系电话:string:20::personal", "年报,企业"},
	{"km-market", "data.officer", "特种设备使用登记信息", "电梯、锅炉、压力容器等特种设备的使用登记证编号、使用单位和设备类别。", catalog.LibraryDepartment, "",
		"使用登记证编号:string:30;使用单位名称:string:200;设备类别:string:50;设备代码:string:30;登记日期:date:0", "特种设备,安全"},
	{"km-market", "data.officer", "商标质押登记信息", "注册商标专用权质押登记的出质人、质权人、质押期限和登记日期。", catalog.LibraryDepartment, "",
		"登记编号:string:30;出质人名称:string:200;质权人名称:string:200;质押期限:string:50;登记日期:date:0", "商标,质押"},
	{"km-market", "data.officer", "计量器具强制检定信息", "强制检定计量器具的器具名称、使用单位、检定结论和有效期。", catalog.LibraryDepartment, "",
		"器具名称:string:100;使用单位名称:string:200;检定结论:string:20;有效期至:date:0", "计量,检定"},
	{"km-market", "data.officer", "产品质量监督抽查信息", "产品质量国家和省市监督抽查的产品名称、生产企业、抽查结果。", catalog.LibraryThematic, "市场监管",
		"产品名称:string:200;生产企业名称:string:200;统一社会信用代码:string:18:uscc;抽查结果:string:20;抽查年度:integer:4", "产品质量,抽查"},
	{"km-market", "data.officer", "市场主体登记统计", "按行业、区县和月份统计的市场主体新设、注销和存量户数。", catalog.LibraryThematic, "市场监管",
		"统计月份:string:7;区县:string:50;行业门类:string:50;新设户数:integer:10;注销户数:integer:10;存量户数:integer:10", "统计,市场主体"},
	{"km-market", "data.officer", "消费投诉举报统计", "12315 平台受理的消费投诉举报按类别和月份的统计。", catalog.LibraryThematic, "市场监管",
		"统计月份:string:7;投诉类别:string:50;受理件数:integer:10;办结件数:integer:10", "消费,投诉"},
	{"km-hrss", "hrss.officer", "社会保险参保信息", "职工基本养老、失业、工伤保险的参保人员、参保单位、险种和参保状态。", catalog.LibraryThematic, "社会保障",
		"姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;参保单位名称:string:200;险种:string:20;参保状态:string:10", "社保,参保"},
	{"km-hrss", "hrss.officer", "就业登记信息", "劳动者就业登记和失业登记信息，包括就业单位、就业形式和登记日期。", catalog.LibraryThematic, "社会保障",
		"姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;就业单位名称:string:200;就业形式:string:20;登记日期:date:0", "就业,登记"},
	{"km-hrss", "hrss.officer", "职业技能等级证书信息", "职业技能等级证书的证书编号、持证人、职业（工种）、等级和发证日期。", catalog.LibraryBase, "电子证照",
		"证书编号:string:30;持证人姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;职业工种:string:100;技能等级:string:10", "证书,技能"},
	{"km-hrss", "hrss.officer", "人力资源服务机构名录", "经许可或备案的人力资源服务机构名称、地址、服务范围和许可证编号。", catalog.LibraryDepartment, "",
		"机构名称:string:200;统一社会信用代码:string:18:uscc;机构地址:string:200;许可证编号:string:30;服务范围:string:500", "人力资源,名录"},
	{"km-hrss", "hrss.officer", "养老保险待遇发放统计", "按月份和区县统计的基本养老保险待遇领取人数和发放金额。", catalog.LibraryThematic, "社会保障",
		"统计月份:string:7;区县:string:50;领取人数:integer:10;发放金额(万元):decimal:18", "养老,统计"},
	{"km-hrss", "hrss.officer", "劳动保障监察案件信息", "劳动保障监察立案查处案件的用人单位、违法事实和处理结果。", catalog.LibraryThematic, "信用",
		"案件编号:string:30;用人单位名称:string:200;统一社会信用代码:string:18:uscc;违法事实:string:2000;处理结果:string:500", "劳动监察,信用"},
	{"km-hrss", "hrss.officer", "公共就业服务岗位信息", "公共就业服务机构发布的招聘岗位、招聘单位、薪资范围和工作地点。", catalog.LibraryDepartment, "",
		"岗位名称:string:100;招聘单位名称:string:200;招聘人数:integer:6;薪资范围:string:50;工作地点:string:200", "岗位,招聘"},
	{"km-hrss", "hrss.officer", "创业担保贷款发放信息", "创业担保贷款的借款主体、贷款金额、贴息金额和发放日期。", catalog.LibraryDepartment, "",
		"借款人姓名:string:50::personal;贷款金额(万元):decimal:18;贴息金额(元):decimal:18;发放日期:date:0", "创业,贷款"},
	{"km-health", "health.officer", "医疗机构执业登记信息", "医疗机构名称、类别、地址、诊疗科目、床位数和执业许可证有效期。", catalog.LibraryThematic, "医疗健康",
		"机构名称:string:200;统一社会信用代码:string:18:uscc;机构类别:string:50;诊疗科目:string:500;床位数:integer:6;许可证有效期至:date:0", "医疗机构,执业"},
	{"km-health", "health.officer", "医师执业注册信息", "医师姓名、执业类别、执业范围和主要执业机构。", catalog.LibraryThematic, "医疗健康",
		"医师姓名:string:50::personal;执业类别:string:20;执业范围:string:100;主要执业机构:string:200;执业证书编码:string:30", "医师,执业"},
	{"km-health", "health.officer", "出生医学证明信息", "出生医学证明的编号、新生儿姓名、出生日期、出生地点和父母信息。", catalog.LibraryBase, "人口",
		"证明编号:string:20;新生儿姓名:string:50::personal;出生日期:date:0;出生地点:string:200::personal;母亲身份证号:string:18:citizen_id:sensitive", "出生,人口"},
	{"km-health", "health.officer", "预防接种门诊名录", "预防接种门诊的名称、地址、服务时间和联系电话。", catalog.LibraryDepartment, "",
		"门诊名称:string:200;地址:string:200;服务时间:string:100;联系电话:string:20", "疫苗,门诊"},
	{"km-health", "health.officer", "法定传染病报告统计", "按病种和月份统计的法定传染病报告发病数和死亡数。", catalog.LibraryThematic, "医疗健康",
		"统计月份:string:7;病种:string:50;发病数:integer:8;死亡数:integer:8", "传染病,统计"},
	{"km-health", "health.officer", "公共场所卫生许可信息", "住宿、沐浴、美容美发等公共场所的卫生许可证编号、单位名称和有效期。", catalog.LibraryThematic, "医疗健康",
		"许可证编号:string:30;单位名称:string:200;统一社会信用代码:string:18:uscc;场所类别:string:50;有效期至:date:0", "卫生许可"},
	{"km-health", "health.officer", "医疗机构床位及卫生人员统计", "各级各类医疗机构的床位数、卫生技术人员数的年度统计。", catalog.LibraryThematic, "医疗健康",
		"统计年度:integer:4;机构类别:string:50;床位数:integer:8;卫生技术人员数:integer:8", "床位,统计"},
	{"yn-police", "police.officer", "户籍人口基本信息", "全省户籍人口的姓名、公民身份号码、性别、民族、出生日期和户籍地址。", catalog.LibraryBase, "人口",
		"姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;性别:string:2;民族:string:20;出生日期:date:0;户籍地址:string:200::sensitive", "人口,户籍"},
	{"yn-police", "police.officer", "居住证信息", "居住证的持证人、居住地址、签发日期和有效期限。", catalog.LibraryBase, "人口",
		"持证人姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;居住地址:string:200::sensitive;签发日期:date:0", "居住证"},
	{"yn-police", "police.officer", "机动车驾驶证信息", "机动车驾驶证的准驾车型、初次领证日期、有效期和状态。", catalog.LibraryBase, "电子证照",
		"姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;准驾车型:string:10;初次领证日期:date:0;有效期至:date:0", "驾驶证,证照"},
	{"yn-police", "police.officer", "人口统计分析数据", "按州市、性别和年龄段统计的户籍人口和常住人口数。", catalog.LibraryThematic, "公共安全",
		"统计年度:integer:4;州市:string:50;性别:string:2;年龄段:string:20;人口数:integer:10", "人口,统计"},
	{"yn-police", "police.officer", "道路交通事故统计", "按月份和州市统计的道路交通事故起数、死亡和受伤人数。", catalog.LibraryThematic, "公共安全",
		"统计月份:string:7;州市:string:50;事故起数:integer:8;死亡人数:integer:8;受伤人数:integer:8", "交通事故,统计"},
	{"yn-police", "police.officer", "旅馆业治安管理信息", "旅馆业特种行业许可证、旅馆名称、地址和房间数。", catalog.LibraryDepartment, "",
		"许可证编号:string:30;旅馆名称:string:200;地址:string:200;房间数:integer:6", "旅馆,治安"},
	{"yn-police", "police.officer", "非机动车登记信息", "电动自行车登记的号牌、车主、品牌型号和登记日期。", catalog.LibraryDepartment, "",
		"号牌号码:string:20;车主姓名:string:50::personal;联系电话:string:20::personal;品牌型号:string:100;登记日期:date:0", "电动车,登记"},
	{"yn-land", "land.officer", "不动产登记信息", "不动产单元号、权利人、坐落、面积和登记类型。", catalog.LibraryBase, "自然资源和空间地理",
		"不动产单元号:string:28;权利人名称:string:200::personal;坐落:string:200;面积(平方米):decimal:18;登记类型:string:20", "不动产,登记"},
	{"yn-land", "land.officer", "国土空间规划分区数据", "国土空间总体规划的功能分区、规划用途和面积（矢量数据）。", catalog.LibraryBase, "自然资源和空间地理",
		"分区编码:string:20;功能分区:string:50;规划用途:string:50;面积(公顷):decimal:18", "规划,空间"},
	{"yn-land", "land.officer", "地质灾害隐患点信息", "地质灾害隐患点的位置、类型、规模、威胁人数和防治措施。", catalog.LibraryThematic, "应急管理",
		"隐患点编号:string:20;灾害类型:string:20;所在县区:string:50;威胁人数:integer:8;经度:decimal:12;纬度:decimal:12", "地灾,应急"},
	{"yn-land", "land.officer", "矿业权信息", "探矿权、采矿权的许可证号、矿种、矿区面积和有效期。", catalog.LibraryThematic, "生态环保",
		"许可证号:string:30;矿业权人:string:200;统一社会信用代码:string:18:uscc;开采矿种:string:50;有效期至:date:0", "矿业权"},
	{"yn-land", "land.officer", "土地供应信息", "国有建设用地供应的宗地位置、用途、面积、供应方式和成交价款。", catalog.LibraryThematic, "生态环保",
		"电子监管号:string:30;宗地位置:string:200;土地用途:string:50;面积(公顷):decimal:18;供应方式:string:20;成交价款(万元):decimal:18", "土地,供应"},
	{"yn-land", "land.officer", "测绘成果目录", "基础测绘成果的比例尺、覆盖范围、生产日期和保密等级。", catalog.LibraryDepartment, "",
		"成果名称:string:200;比例尺:string:20;覆盖范围:string:200;生产日期:date:0", "测绘"},
	{"yn-land", "land.officer", "自然保护地名录", "自然保护区、风景名胜区等保护地的名称、级别、面积和批准文号。", catalog.LibraryThematic, "生态环保",
		"保护地名称:string:200;保护地类型:string:50;级别:string:20;面积(公顷):decimal:18;批准文号:string:50", "保护地,生态"},
	{"km-water", "water.officer", "供水水质公示数据", "出厂水和管网水的浊度、余氯、菌落总数等水质指标的日检测结果。", catalog.LibraryThematic, "生态环保",
		"检测日期:date:0;采样点:string:100;浊度(NTU):decimal:8;余氯(mg/L):decimal:8;菌落总数(CFU/mL):integer:8", "水质,供水"},
	{"km-water", "water.officer", "用户用水信息", "居民和非居民用户的户号、用水地址、月用水量和缴费状态。", catalog.LibraryDepartment, "",
		"用户户号:string:20;户主姓名:string:50::personal;用水地址:string:200::personal;月用水量(立方米):decimal:12;缴费状态:string:10", "用水,户号"},
	{"km-water", "water.officer", "供水管网压力监测数据", "分区计量的供水管网压力监测点和每小时压力值。", catalog.LibraryDepartment, "",
		"监测点编号:string:20;所在片区:string:50;监测时间:datetime:0;压力(MPa):decimal:8", "管网,压力"},
	{"km-water", "water.officer", "停水计划公告", "计划停水的区域、时间段和原因。", catalog.LibraryDepartment, "",
		"公告编号:string:20;停水区域:string:200;开始时间:datetime:0;结束时间:datetime:0;停水原因:string:200", "停水,公告"},
	{"km-water", "water.officer", "水厂供水能力统计", "各水厂的设计供水能力、日均供水量和水源类型。", catalog.LibraryThematic, "生态环保",
		"水厂名称:string:100;设计能力(万吨/日):decimal:10;日均供水量(万吨):decimal:10;水源类型:string:20", "水厂,统计"},
	{"km-market", "data.officer", "广告经营单位信息", "从事广告经营活动的单位名称、经营范围和登记日期。", catalog.LibraryDepartment, "",
		"单位名称:string:200;统一社会信用代码:string:18:uscc;经营范围:string:500;登记日期:date:0", "广告"},
	{"km-market", "data.officer", "价格监测信息", "粮油、肉禽蛋、蔬菜等重要民生商品的周价格监测数据。", catalog.LibraryThematic, "市场监管",
		"监测日期:date:0;商品名称:string:50;规格等级:string:50;价格(元):decimal:10;监测点:string:100", "价格,民生"},
	{"km-hrss", "hrss.officer", "技工院校名录", "技工院校的名称、办学层次、专业设置和地址。", catalog.LibraryDepartment, "",
		"院校名称:string:200;办学层次:string:20;专业设置:string:1000;地址:string:200", "技工院校,教育"},
	{"km-health", "health.officer", "家庭医生签约服务统计", "按区县和季度统计的家庭医生签约人数和重点人群签约率。", catalog.LibraryThematic, "医疗健康",
		"统计季度:string:7;区县:string:50;签约人数:integer:10;重点人群签约率(%):decimal:6", "家庭医生,统计"},
	{"yn-police", "police.officer", "出入境证件办理统计", "按月份统计的护照、往来港澳通行证等出入境证件受理量。", catalog.LibraryThematic, "政务服务",
		"统计月份:string:7;证件类型:string:50;受理量:integer:10", "出入境,统计"},
	{"yn-land", "land.officer", "基准地价信息", "城镇基准地价的级别、用途和价格。", catalog.LibraryThematic, "生态环保",
		"城镇名称:string:50;土地级别:string:10;土地用途:string:20;基准地价(元/平方米):decimal:12", "地价"},
	{"km-water", "water.officer", "二次供水设施信息", "二次供水设施的位置、管理单位、清洗消毒日期。", catalog.LibraryDepartment, "",
		"设施编号:string:20;小区名称:string:200;管理单位:string:200;最近清洗日期:date:0", "二次供水"},
	{"km-market", "data.officer", "网络交易平台名录", "在本市登记的网络交易平台经营者名称、网址和平台类型。", catalog.LibraryDepartment, "",
		"平台名称:string:200;经营者名称:string:200;统一社会信用代码:string:18:uscc;网址:string:200;平台类型:string:50", "网络交易,平台"},
	{"km-hrss", "hrss.officer", "工伤认定信息", "工伤认定申请的受伤职工、用人单位、认定结论和认定日期。", catalog.LibraryThematic, "社会保障",
		"职工姓名:string:50::personal;公民身份号码:string:18:citizen_id:sensitive;用人单位名称:string:200;认定结论:string:20;认定日期:date:0", "工伤"},
	{"km-health", "health.officer", "药品零售企业名录", "药品零售企业的名称、经营地址、许可证号和有效期。", catalog.LibraryThematic, "医疗健康",
		"企业名称:string:200;统一社会信用代码:string:18:uscc;经营地址:string:200;许可证号:string:30;有效期至:date:0", "药店,药品"},
	{"yn-police", "police.officer", "保安服务公司名录", "保安服务许可证号、公司名称、法定代表人和服务范围。", catalog.LibraryDepartment, "",
		"许可证号:string:30;公司名称:string:200;统一社会信用代码:string:18:uscc;法定代表人:string:50::personal", "保安"},
	{"yn-land", "land.officer", "卫星遥感影像目录", "全省卫星遥感影像的景号、传感器、分辨率、成像日期和云量。", catalog.LibraryBase, "自然资源和空间地理",
		"景号:string:50;传感器:string:20;分辨率(米):decimal:6;成像日期:date:0;云量(%):decimal:5", "遥感,影像"},
	{"km-market", "data.officer", "认证机构名录", "从事产品、服务、管理体系认证的机构名称、批准号和认证领域。", catalog.LibraryDepartment, "",
		"机构名称:string:200;批准号:string:30;认证领域:string:500", "认证"},
	{"km-health", "health.officer", "母婴保健技术服务机构名录", "开展产前诊断、助产技术等母婴保健技术服务的机构名称、服务项目和许可有效期。", catalog.LibraryThematic, "医疗健康",
		"机构名称:string:200;统一社会信用代码:string:18:uscc;服务项目:string:200;有效期至:date:0", "母婴,医疗机构"},
}

var legalBases = []string{"《中华人民共和国个人信息保护法》第十三条", "《云南省公共数据管理办法（试行）》第二十七条", "《企业信息公示暂行条例》第六条", "《中华人民共和国统计法》第二十五条"}

// seedCatalog compiles the demo catalog: every attribute combination, most
// entries published, some drafts, some in review, some returned for changes
// and some with a second version.
func seedCatalog(ctx context.Context, p *platform.Platform, eng *caseflow.Engine, org map[string]string, users func(string) context.Context) error {
	shares := []catalog.ShareType{catalog.ShareUnconditional, catalog.ShareConditional, catalog.ShareNone}
	opens := []catalog.OpenType{catalog.OpenUnconditional, catalog.OpenUnconditional, catalog.OpenConditional, catalog.OpenNone}
	levels := []catalog.Level{catalog.LevelGeneral, catalog.LevelGeneral, catalog.LevelImportant, catalog.LevelCore}
	formats := [][]string{{"csv", "xlsx"}, {"json"}, {"csv", "json", "xlsx"}, {"shp", "geojson"}, {"pdf"}}
	svc := p.Catalog
	defer func(orig *caseflow.Engine) { svc.Cases = orig }(svc.Cases)
	svc.Cases = eng // the demo's clock (see Seed)
	for i, r := range resources {
		e := catalog.Entry{Name: r.name, Summary: r.summary, Library: r.library, DataForm: "table", UpdateFrequency: catalog.Frequencies[i%len(catalog.Frequencies)],
			Level: levels[i%len(levels)], SubLevel: "L" + strconv.Itoa(1+i%4), ShareType: shares[i%3], OpenType: opens[(i/3)%4], Formats: formats[i%len(formats)],
			SourceSystem: "业务系统" + strconv.Itoa(1+i%5), Tags: strings.Split(r.tags, ","), Contact: fmt.Sprintf("0871-6%07d", 1000000+i*37),
			SpatialCoverage: "530100", TemporalCoverage: "2019年至今", ShareMethods: []catalog.Method{catalog.MethodAPI, catalog.MethodBulk}[:1+i%2]}
		if strings.Contains(r.group, "空间") || strings.Contains(r.name, "影像") {
			e.DataForm = "geo"
		}
		switch r.library {
		case catalog.LibraryBase:
			e.BaseDatabase = r.group
		case catalog.LibraryThematic:
			e.Themes = []string{r.group}
		}
		for _, spec := range strings.Split(r.items, ";") {
			f := strings.Split(spec, ":")
			n, _ := strconv.Atoi(f[2])
			it := catalog.Item{Name: f[0], DataType: f[1], Length: n, Description: f[0], Required: true}
			if len(f) > 3 {
				it.IDKind = catalog.IDKind(f[3])
			}
			if len(f) > 4 {
				it.PI = catalog.PI(f[4])
			}
			e.Items = append(e.Items, it)
		}
		prepareItems(r.name, &e)
		if e.ShareType != catalog.ShareUnconditional {
			e.ShareConditions = "仅向履行相关法定职责的单位提供，限于申请用途"
			e.LegalBasis = legalBases[i%len(legalBases)]
		}
		// Personal information stays out of the open catalog; names of legal
		// representatives and business operators are public registration
		// facts (企业信息公示暂行条例), so they are not flagged above.
		if strings.Contains(r.items, ":personal") || strings.Contains(r.items, ":sensitive") {
			e.OpenType = catalog.OpenNone // personal information stays out of the open catalog
		}
		if e.OpenType == catalog.OpenConditional {
			e.OpenConditions = "签订开放利用协议和安全承诺书后，按约定用途使用"
		}
		if e.OpenType != catalog.OpenNone {
			e.Licence = "CC BY 4.0"
		}
		officer := users(r.officer)
		res, err := svc.Create(officer, org[r.org], e)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		reviewer := users("authority.reviewer")
		if strings.HasPrefix(r.org, "yn-") {
			reviewer = users("authority.admin")
		}
		switch {
		case i%12 == 5: // stays a draft
			continue
		case i%12 == 7: // in review
			if _, err := svc.Submit(officer, res.ID); err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			continue
		case i%12 == 9: // returned for changes
			c, err := svc.Submit(officer, res.ID)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			if _, err := eng.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActReturn, Comment: "请补充数据项说明和更新频率依据（YN§12）"}); err != nil {
				return err
			}
			continue
		}
		c, err := svc.Submit(officer, res.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if _, err := eng.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "符合目录编制要求，同意发布"}); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if i%10 == 3 { // a second version, published, with a readable diff
			e.Summary += "数据每日增量更新。"
			e.Tags = append(e.Tags, "更新")
			if _, err := svc.Update(officer, res.ID, e); err != nil {
				return err
			}
			c, err := svc.Submit(officer, res.ID)
			if err != nil {
				return fmt.Errorf("%s v2: %w", r.name, err)
			}
			if i%20 != 13 { // one v2 waits for review while v1 stays live
				if _, err := eng.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "同意更新"}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
