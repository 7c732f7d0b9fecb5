// Package demo creates the demonstration deployment: a Yunnan-profile
// platform with the province, two cities and counties, a data authority per
// level, institutions (公安, 市场监管, 人社, 卫健, 自然资源), a water utility, a
// primary operator, a regulator, one documented account per role and cases
// in every state, so that every page has something to show.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gongshu/internal/caseflow"
	"gongshu/internal/feedback"
	"gongshu/internal/idcode"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
)

// Account is one demo login.
type Account struct {
	Username string
	Role     string
	Org      string
}

// Result tells what Seed did.
type Result struct {
	Created  bool
	Accounts []Account
}

// MarkerOrg is the organization whose presence means the demo exists.
const MarkerOrg = "云南省数据局"

type orgSpec struct {
	key, name, nameEN string
	typ               identity.OrgType
	region, parent    string
}

var orgs = []orgSpec{
	{"yn-authority", MarkerOrg, "Yunnan Provincial Data Bureau", identity.OrgAuthority, "530000", ""},
	{"km-authority", "昆明市数据局", "Kunming Data Bureau", identity.OrgAuthority, "530100", "yn-authority"},
	{"qj-authority", "曲靖市数据局", "Qujing Data Bureau", identity.OrgAuthority, "530300", "yn-authority"},
	{"wh-authority", "昆明市五华区数据局", "Wuhua District Data Bureau", identity.OrgAuthority, "530102", "km-authority"},
	{"yn-police", "云南省公安厅", "Yunnan Public Security Department", identity.OrgInstitution, "530000", ""},
	{"yn-land", "云南省自然资源厅", "Yunnan Natural Resources Department", identity.OrgInstitution, "530000", ""},
	{"km-market", "昆明市市场监督管理局", "Kunming Market Regulation Administration", identity.OrgInstitution, "530100", ""},
	{"km-hrss", "昆明市人力资源和社会保障局", "Kunming Human Resources and Social Security Bureau", identity.OrgInstitution, "530100", ""},
	{"km-health", "昆明市卫生健康委员会", "Kunming Health Commission", identity.OrgInstitution, "530100", ""},
	{"qj-market", "曲靖市市场监督管理局", "Qujing Market Regulation Administration", identity.OrgInstitution, "530300", ""},
	{"wh-hrss", "五华区人力资源和社会保障局", "Wuhua District HR and Social Security Bureau", identity.OrgInstitution, "530102", ""},
	{"km-water", "昆明自来水集团有限公司", "Kunming Water Supply Group", identity.OrgUtility, "530100", ""},
	{"yn-operator", "云南公共数据运营有限公司", "Yunnan Public Data Operation Co.", identity.OrgOperator, "530000", ""},
	{"yn-cac", "云南省委网信办", "Yunnan Cyberspace Administration", identity.OrgRegulator, "530000", ""},
}

type userSpec struct {
	username, name string
	kind           identity.UserKind
	org            string
	role           identity.Role
}

var users = []userSpec{
	{"authority.admin", "赵建国（省数据局管理员）", identity.KindStaff, "yn-authority", identity.RoleAuthorityAdmin},
	{"authority.reviewer", "钱敏（昆明市数据局审核员）", identity.KindStaff, "km-authority", identity.RoleAuthorityReviewer},
	{"km.authority.admin", "孙立（昆明市数据局管理员）", identity.KindStaff, "km-authority", identity.RoleAuthorityAdmin},
	{"institution.admin", "李华（市场监管局管理员）", identity.KindStaff, "km-market", identity.RoleInstitutionAdmin},
	{"data.officer", "周静（市场监管局数据专员）", identity.KindStaff, "km-market", identity.RoleDataOfficer},
	{"institution.reviewer", "吴刚（市场监管局审核员）", identity.KindStaff, "km-market", identity.RoleInstitutionReviewer},
	{"hrss.officer", "郑洁（人社局数据专员）", identity.KindStaff, "km-hrss", identity.RoleDataOfficer},
	{"health.officer", "冯磊（卫健委数据专员）", identity.KindStaff, "km-health", identity.RoleDataOfficer},
	{"police.officer", "陈涛（公安厅数据专员）", identity.KindStaff, "yn-police", identity.RoleDataOfficer},
	{"land.officer", "褚红（自然资源厅数据专员）", identity.KindStaff, "yn-land", identity.RoleDataOfficer},
	{"water.officer", "卫强（自来水集团数据专员）", identity.KindStaff, "km-water", identity.RoleDataOfficer},
	{"auditor", "蒋平（省数据局审计员）", identity.KindStaff, "yn-authority", identity.RoleAuditor},
	{"regulator.auditor", "沈玉（网信办审计员）", identity.KindStaff, "yn-cac", identity.RoleAuditor},
	{"operator.admin", "韩梅（运营公司管理员）", identity.KindStaff, "yn-operator", identity.RoleOperatorAdmin},
	{"citizen", "杨帆", identity.KindPerson, "", identity.RolePublicUser},
	{"citizen2", "朱琳", identity.KindPerson, "", identity.RolePublicUser},
	{"company", "昆明云数科技有限公司", identity.KindOrganization, "", identity.RolePublicUser},
}

// CitizenID builds a valid demo citizen ID number from a region, birth date and sequence.
func CitizenID(region, birth string, seq int) string {
	first := fmt.Sprintf("%s%s%03d", region, birth, seq)
	c, err := idcode.CitizenIDCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// USCC builds a valid demo unified social credit code: registration
// authority 9 (工商), category 1 (企业) for companies or 1/1 for 机关, the
// region code and an organization code with its own check character.
func USCC(prefix, region string, n int) string {
	body := fmt.Sprintf("%08d", 10000000+n*7919%89999999)
	oc, err := idcode.OrgCodeCheckChar(body)
	if err != nil {
		panic(err)
	}
	first := prefix + region + body + string(oc)
	c, err := idcode.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// Seed creates the demo deployment unless it exists.
func Seed(ctx context.Context, p *platform.Platform, password string) (*Result, error) {
	existing, err := p.Identity.ListOrgs(ctx, identity.OrgFilter{Query: MarkerOrg})
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return &Result{}, nil
	}
	if err := p.SetProfile(ctx, "yunnan"); err != nil {
		return nil, err
	}
	ids := map[string]string{}
	names := map[string]string{}
	for i, o := range orgs {
		prefix := "11"
		switch o.typ {
		case identity.OrgUtility, identity.OrgOperator:
			prefix = "91"
		}
		org, err := p.Identity.CreateOrg(ctx, identity.NewOrg{Name: o.name, NameEN: o.nameEN, Type: o.typ, RegionCode: o.region,
			ParentID: ids[o.parent], USCC: USCC(prefix, o.region, i+1), ResponsiblePerson: "主要负责人"})
		if err != nil {
			return nil, fmt.Errorf("org %s: %w", o.name, err)
		}
		ids[o.key], names[o.key] = org.ID, org.Name
	}
	res := &Result{Created: true}
	// The demo's cases are filed "now"; when today's deadlines would run
	// into a year whose holiday arrangement is not yet published (late
	// December), file them as of the last covered November instead, so the
	// demo still starts and says so in each case's dates.
	eng := p.Cases
	if _, err := p.Calendar().AddWorkdays(p.Now(), 15); err != nil {
		years := p.Calendar().Years()
		base := time.Date(years[len(years)-1], time.November, 2, 10, 0, 0, 0, time.UTC)
		offset := base.Sub(p.Now())
		shifted := *p.Cases
		shifted.Now = func() time.Time { return p.Now().Add(offset) }
		eng = &shifted
	}
	uid := map[string]string{}
	for i, u := range users {
		in := identity.NewUser{Username: u.username, DisplayName: u.name, Kind: u.kind, Password: password}
		switch u.kind {
		case identity.KindPerson:
			in.IDNumber = CitizenID("530102", fmt.Sprintf("1990%02d%02d", 3+i%9, 7+i), 100+i)
		case identity.KindOrganization:
			in.USCC = USCC("91", "530100", 500+i)
		}
		created, err := p.Identity.CreateUserUnchecked(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", u.username, err)
		}
		uid[u.username] = created.ID
		orgName := ""
		if u.org != "" {
			orgName = names[u.org]
		}
		if err := p.Identity.Grant(ctx, created.ID, ids[u.org], u.role); err != nil {
			return nil, fmt.Errorf("grant %s: %w", u.username, err)
		}
		res.Accounts = append(res.Accounts, Account{Username: u.username, Role: string(u.role), Org: orgName})
	}
	if err := seedCases(ctx, p, eng, ids, uid); err != nil {
		return nil, fmt.Errorf("demo cases: %w", err)
	}
	if err := seedCatalog(ctx, p, eng, ids, func(u string) context.Context { return as(ctx, p, uid[u]) }); err != nil {
		return nil, fmt.Errorf("demo catalog: %w", err)
	}
	return res, nil
}

func as(ctx context.Context, p *platform.Platform, uid string) context.Context {
	a, err := p.Identity.ActorFor(ctx, uid)
	if err != nil {
		panic(err)
	}
	return identity.WithActor(ctx, a)
}

func form(kind feedback.Kind, resource, content string) json.RawMessage {
	b, _ := json.Marshal(feedback.Form{Kind: kind, Resource: resource, Content: content})
	return b
}

// seedCases files feedback cases in every state, including overdue ones
// received weeks ago.
func seedCases(ctx context.Context, p *platform.Platform, e *caseflow.Engine, org, uid map[string]string) error {
	citizen, citizen2, company := as(ctx, p, uid["citizen"]), as(ctx, p, uid["citizen2"]), as(ctx, p, uid["company"])
	officer, reviewer := as(ctx, p, uid["data.officer"]), as(ctx, p, uid["institution.reviewer"])
	hrss := as(ctx, p, uid["hrss.officer"])
	newCase := func(ctx context.Context, eng *caseflow.Engine, target string, f json.RawMessage, submit bool) (*caseflow.Case, error) {
		return eng.Create(ctx, caseflow.NewCase{Type: feedback.TypeName, TargetOrgID: org[target], Form: f, Submit: submit})
	}
	// Draft.
	if _, err := newCase(citizen, e, "km-market", form(feedback.Suggestion, "", "建议在开放目录中增加个体工商户年报公示数据的下载说明。"), false); err != nil {
		return err
	}
	// Submitted.
	if _, err := newCase(citizen, e, "km-market", form(feedback.Demand, "市场主体登记信息", "希望开放昆明市市场主体登记信息的季度统计数据，用于创业选址研究。"), true); err != nil {
		return err
	}
	if _, err := newCase(company, e, "km-water", form(feedback.Demand, "供水管网压力监测数据", "申请开放分区供水压力的日度汇总数据，用于节水产品研发。"), true); err != nil {
		return err
	}
	// In review.
	c, err := newCase(citizen2, e, "km-market", form(feedback.Objection, "食品经营许可信息", "开放数据中“某某餐饮店”的许可证有效期与实际证照不一致，请核实更正。"), true)
	if err != nil {
		return err
	}
	if _, err := e.Accept(officer, c.ID, 0); err != nil {
		return err
	}
	// Returned for changes.
	c, err = newCase(citizen, e, "km-market", form(feedback.Objection, "行政处罚信息", "处罚信息中的企业名称有误。"), true)
	if err != nil {
		return err
	}
	if _, err := e.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActReturn, Comment: "请补充具体的处罚决定书文号或企业统一社会信用代码，以便核实。"}); err != nil {
		return err
	}
	// Approved (answered).
	c, err = newCase(citizen, e, "km-market", form(feedback.Demand, "企业登记基本信息", "能否提供企业登记基本信息的接口调用方式说明？"), true)
	if err != nil {
		return err
	}
	if _, err := e.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "企业登记基本信息已列入无条件开放目录，可在开放门户下载，接口说明见资源页面“获取方式”。"}); err != nil {
		return err
	}
	// Refused.
	c, err = newCase(company, e, "km-market", form(feedback.Demand, "企业股东身份证号码", "希望开放企业自然人股东的身份证号码用于尽职调查。"), true)
	if err != nil {
		return err
	}
	if _, err := e.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActRefuse, Comment: "所请求数据属于敏感个人信息，不属于开放范围。",
		LegalBasis: "《中华人民共和国个人信息保护法》第二十八条；《云南省公共数据管理办法（试行）》第三十二条"}); err != nil {
		return err
	}
	// Withdrawn.
	c, err = newCase(citizen2, e, "km-hrss", form(feedback.Suggestion, "", "建议社保缴费数据按月更新。"), true)
	if err != nil {
		return err
	}
	if _, err := e.Withdraw(citizen2, c.ID, 0, "已在其他渠道获得答复"); err != nil {
		return err
	}
	// Overdue: received four weeks ago, never answered.
	past := *e
	past.Now = func() time.Time { return e.Now().AddDate(0, 0, -28) }
	if _, err := newCase(citizen, &past, "km-hrss", form(feedback.Demand, "社会保险参保信息", "希望开放分行业参保人数的月度统计。"), true); err != nil {
		return err
	}
	c, err = newCase(citizen2, &past, "km-market", form(feedback.Objection, "双随机抽查结果", "抽查结果中的检查日期与实际不符。"), true)
	if err != nil {
		return err
	}
	if _, err := past.Accept(officer, c.ID, 0); err != nil {
		return err
	}
	_ = hrss
	_, err = e.MarkOverdue(ctx)
	return err
}
