package signals

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Chinese churn-intent patterns.
//
// The text is in Simplified Chinese (Traditional text is converted first,
// see simplify) with its ASCII letters lower-cased. A pattern is a phrase,
// or alternatives separated by '|', found by substring search, with
// conditions on its surroundings, each within the phrase's clause (cut at
// Chinese and ASCII punctuation):
//
//   - near: one of these within 10 runes before or after the phrase
//     ("取消订阅", "把订阅取消");
//   - follow: one of these within the 8 runes after it;
//   - nearName: a product name (a Latin word that is not a common
//     abbreviation, or a Chinese vendor of zhVendors) within 10 runes before
//     or after it ("跟 HubSpot 签约了");
//   - need: one of these anywhere in the text;
//   - stop: the match does not count when one of these is within the 8 runes
//     after it (an innocent object: "取消导出任务");
//   - before: the match does not count when one of these is within the 12
//     runes before it ("客户怎么退订", "给买家退款");
//   - whole: the clause, without politeness and particles (请, 帮我, 吧, 了,
//     ...), is the phrase itself ("取消。", "关掉吧");
//   - atEnd: the phrase ends its clause, but for particles ("不然我们会换。");
//   - received: as for English, a refund that has arrived is no request;
//   - target: a move toward a product, see zhPattern.target.
//
// A phrase preceded within 6 runes by a volitional negation (zhNegators:
// "不想", "没有要", "不用") or followed within 4 runes by a withdrawal
// (zhPostNeg: "退款就不用了") does not count; a wantNeg phrase ("续约")
// counts only when negated (不, 别, 没, except 不能, 不知道, ...).
// shortNeg: a 不 right before the phrase negates it ("不太贵"). A
// competitor phrase does not count after a third party within 12 runes
// ("我们有个客户换成了别家系统").
type zhPattern struct {
	intent   Intent
	phrase   string
	near     []string
	follow   []string
	nearName bool
	need     []string
	stop     []string
	before   []string
	whole    bool
	atEnd    bool
	// noQuestion: the phrase does not count in a question ("这个价格含税吗？").
	noQuestion bool
	wantNeg    bool
	shortNeg   bool
	received   bool
	// anyNeg: for a wantNeg phrase, inability negates as well ("没法继续用下去").
	anyNeg bool
	// stopAfter: the runes after the phrase where stop is looked for, 8
	// when 0.
	stopAfter int
	// stopNext: the match does not count when one of these follows it
	// right away ("导入功能" is an import feature).
	stopNext []string
	// notBefore: the match does not count when one of these stands
	// anywhere before it in the text.
	notBefore []string
	// needName: the text names a product (latinName) other than after
	// 你们 ("新来的总监更习惯用七鱼，下个季度先试点一下").
	needName bool
	// refused: the phrase counts only when a refusal (zhRefusals) follows it
	// in its clause ("续费就不搞了", "续约的事不用谈了", "到期就算了"), and no withdrawal
	// (zhPostNeg) undoes it, since that is the refusal itself.
	refused bool
	// target: a move counts only toward a product: a name, a vendor or a
	// zhMoveTarget word within 12 runes after it ("换成 HubSpot", "转到别家",
	// not "公司搬到杭州"), and not when 把 names something else that is moved
	// ("把单点登录换成 Okta").
	target bool
}

var (
	zhSubj = strings.Fields("plan subscription account 订阅 续费 续订 续约 会员 账号 账户 帐号 帐户 服务 套餐 合同 合约 合作 自动续 方案 授权 平台 系统 软件 产品 工具 这套 本期 到期 期末 结束时 月底")
	// zhAccount: what closing or deleting is about.
	zhAccount  = strings.Fields("账号 账户 帐号 帐户 全部数据 所有数据 所有资料 全部资料 公司账")
	zhContract = strings.Fields("合作 合同 合约 服务 订阅 协议 契约 关系")
	zhOther    = strings.Fields("平台 产品 软件 软体 工具 服务 系统 厂商 供应商 品牌 方案 家 crm erp 客服系统 解决方案 vendor")
	zhStopMove = strings.Fields("年付 月付 年缴 月缴 套餐 版本 版 人工 客服 年度 月度 按年 按月 付费 免费 账号 帐号 管理员 同事 邮箱 手机 页面 " +
		"设置 中文 英文 繁体 简体 语言 界面 工作区 空间 文件夹 目录 部门 项目 你们 贵司 这边 这里 方案 模式 主题 深色 时区 区域 服务器 " +
		"方向 思路 说法 时间 日期 地址 名字 名称 密码 头像 logo 颜色 联系人 负责人 总监 经理 财务 电话 抬头 机房 数据中心 地区 节点 设定 介面 " +
		"团队 队列 组 群组 分组 记录 工单 频道 队伍 名下 底下")
	zhInnocentOther = strings.Fields("有 都有 早就有 也有 已经有 支持 都支持 能做 可以做 是怎么 怎么做 的做法 出了 推出 上线 推了 发布")
	zhRoles         = strings.Fields("成员 用户 权限 角色 查看者 检视者 编辑者 管理员 一般 普通 使用者 viewer editor 只读 唯读 访客 坐席 轻量")
	zhPeople        = strings.Fields("同事 员工 离职 成员 用户 使用者 某个 他 她 客户 顾客 客人 买家 消费者")
	zhCheap         = strings.Fields("基础 基本 入门 标准 精简 轻量 免费 便宜 低一 小一 低阶 低档 lite basic starter 初级 个人版 小团队 简易 较低")
	zhSeats         = strings.Fields("席位 授权 帐号 账号 座位 许可 license 人数 用户数 坐席 模块 模组 加购 附加 方案 套餐 增值包 加值包 附加包")
	zhSeatCount     = strings.Fields("席位 授权 帐号 账号 座位 许可 license 人数 用户数 坐席")
	zhPriceWord     = strings.Fields("价 费 钱 报价 账单 帐单")
	// zhNegators are volitional or counterfactual negations: they cancel
	// an intent phrase that follows within a few runes. Inability (无法,
	// 不能, 没法) is not among them.
	zhNegators = strings.Fields("不想 不要 不会 不打算 不准备 不用 不需要 无需 不必 没打算 没想 并不想 不是要 不是 不考虑 暂不 暂时不 " +
		"没有要 没要 并没有 没有打算 没有换 目前没有 暂时没有 本来 原本 本想 差点 差一点 是不会 不至于 无意 没在考虑 " +
		"唔想 唔要 唔会 唔使 唔打算 冇打算 唔系要 唔系")
	// zhHypotheticals put what follows in a remote future ("万一哪天要取消"):
	// no intent, but no saying that the customer stays either.
	zhHypotheticals = strings.Fields("如果以后 万一 哪天 将来 以后如果")
	// zhIntending are the negators of an intention, which govern a phrase
	// further away in their clause ("不会因为这样就退订", "没打算因为这个换系统").
	zhIntending = strings.Fields("不想 不会 不打算 不准备 没打算 没有打算 并不想 不考虑 没有要 没要 无意 没在考虑 唔想 唔会 唔打算 冇打算")
	// zhNegStop ends the reach of a negation ("不想走，但是...").
	zhNegStop = strings.Fields("但 可是 不过 只是 然而 所以 结果")
	// zhLeaveVerbs are leaving; a 不 right before one says the customer
	// stays ("我们不换到简道云", "不走").
	zhLeaveVerbs = strings.Fields("换 迁 搬 走 离开 退订 解约 注销 取消 停用 弃用 转到 转去 转用")
	// zhOthersOwn: an object owned by someone else ("停掉他的定期账单").
	zhOthersOwn = strings.Fields("他的 她的 他们的 她们的 客户的 顾客的 客人的 买家的 员工的 同事的 给他 给她 给客户 给顾客 给客人 给买家")
	// zhOthersParty: parties a customer has contracts with besides this
	// product ("我们和物流公司的合同到期不续了").
	zhOthersParty = strings.Fields("物流 快递 供应商 房东 银行 代理 经销商 外包 客户 顾客 律师 会计 保险 他们 她们 对方")
	// zhMailings: a bare 取消订阅 or 退订 in a sentence naming one of these is
	// about the mailing ("营销邮件太多了，怎么退订？").
	zhMailings = strings.Fields("邮件 电子报 newsletter 通讯 推送 营销 短信 周报 日报 广告")
	// zhNotNeg are words that begin with a negating rune but do not negate
	// what follows.
	zhNotNeg = strings.Fields("不能 不知 不清楚 不确定 不记得 不小心 不然 不过 不同 不少 不错 不懂 不了解 不到 不止 不久 不断 不好意思 不仅 " +
		"不但 要不要 是不是 能不能 可不可以 会不会 有没有 有没 好不好 别家 别的 别人 区别 特别 分别 识别 级别 类别 差别 个别 没问题 没关系 没法 没办法 没多久 " +
		"唔该 唔好意思 唔知 唔识 唔得 冇问题")
	zhReceived = strings.Fields("收到 到账 到帐 入账 入帐 退回来了 退了")
	zhApproved = strings.Fields("通过了 核准了 批准了 处理好了 办好了")
	zhThanks   = strings.Fields("谢谢 感谢 多谢 唔该")
	// zhThirdParty: a move made by someone else than the customer.
	zhThirdParty = strings.Fields("客户 客人 顾客 合作伙伴 他们 她们")
	zhNotYet     = strings.Fields("没 未 还没 但 可是 不过")
	// zhUnable: inability, which negates an anyNeg phrase ("没法继续用下去").
	zhUnable = strings.Fields("不能 没法 没办法 无法")
	// zhVendors are Chinese names of products a customer may move to.
	// zhMoveTarget: words that say a move goes to another product.
	zhMoveTarget = append(strings.Fields("竞品 别家 对手 其他 其它 别的 另一 另外 那边 那家 他们家 同行 新系统 新平台 新工具"), zhOther...)
	// zhMovedThing: what a customer moving to another product moves ("把客服系统换成...").
	zhMovedThing = strings.Fields("系统 平台 工具 软件 产品 数据 资料 工单 业务 团队 客服 全部 所有 整个 你们 crm erp 服务 订阅 账号 帐号 部门 公司")
	// zhAddOn: paid add-ons that a downgrade removes.
	zhAddOn = strings.Fields("加购 附加 增值 加值 附加包 扩展包 资源包 短信包 插件 模组 add-on addon")
	// zhInnocentObjects are things inside the product that are cancelled or
	// stopped; named before a bare "取消" ("邀请发错邮箱了，请帮忙取消一下"),
	// they are its object.
	zhInnocentObjects = strings.Fields("订单 邀请 会议 任务 导出 报表 工单 发票 活动 排程 群发 通知 邮件 提醒 预约 流程 寄信 电子报 通讯 " +
		"面单 标签 草稿 预订 行程 直播 课程 申请 操作 上传 同步 导入 单子 研讨会 讲座 培训 说明会 分享会 发布会 webinar")
	// zhPostNeg: said right after a request, they withdraw it ("退款就不用了").
	zhPostNeg = strings.Fields("就不用了 不用了 不需要了 就不必了 不必了 就算了 免了")
	// zhRefusals, after a renewal word, refuse it (see zhPattern.refused).
	// Letting it go after an expiry refuses as well ("到期就算了", "到期自动停就行").
	zhRefusals = append(strings.Fields("不搞 不用谈 不谈 不考虑 不做 不弄 不打算 不准备 不签 先不 暂时不 唔续 唔搞 "+
		"就算 算了 拉倒 自动停 就停 停就 就结束 自然结束 就不管"), zhPostNeg...)
	// zhCredentials are things that are revoked or closed inside the product,
	// not the customer's account ("把 API 金钥注销", "测试账号").
	zhCredentials = strings.Fields("金钥 密钥 key token 凭证 证书 测试 子账号 子帐号")
	// zhRenewing say the customer will renew; not negated, they say it stays
	// ("还是会续", "明年还续").
	zhRenewing = strings.Fields("会续 还续 继续续 会继续用 会继续使用 继续合作")
	// zhOwnPricing, after a price word, make the price the customer's own, one
	// it sets in the product ("会员方案的价格我们想调涨").
	zhOwnPricing = strings.Fields("我们想 我们要 我们打算 我们准备 要去哪 怎么设 在哪设 在哪里设")
	// zhShortfall, after 预算, say the budget does not reach ("预算不够").
	zhShortfall = strings.Fields("不够 不足 超 多出 紧 有限 吃紧 没那么多 负担 压力 没有了 没了")
	// zhCharge: a ticket about money taken, in which a bare 退 asks for it back.
	zhCharge  = strings.Fields("扣 费 钱 款 收费 刷")
	zhVendors = strings.Fields("飞书 钉钉 企业微信 金蝶 用友 简道云 纷享销客 销售易 明道云 泛微 致远 石墨 伙伴云 智齿 美洽 七鱼 逸创 环信 有赞 微盟 腾讯")
	// zhLatinCommon are Latin words in Chinese text that are not names of
	// products.
	zhLatinCommon = strings.Fields("api app apps csv pdf sla sso excel email emails line webhook bug bugs ui ux id ie ok vip url sms otp qr " +
		"https http www ios android iphone ipad mac windows pc nt hk usd twd hkd rmb ntd pos bot key keys " +
		"dashboard report sandbox demo pro plus lite basic starter vpn wifi pm am gdpr kpi ai")
)

// zhPatterns are the Chinese patterns, one intent each.
var zhPatterns = []zhPattern{
	// cancel
	{intent: IntentCancel, phrase: "取消", near: zhSubj,
		stop:   strings.Fields("订单 邀请 会议 任务 导出 报表 工单 发票 活动 排程 群发 通知 邮件 提醒 预约 流程 寄信 电子报 通讯"),
		before: strings.Fields("订单 客户 顾客 买家 客人 成员 工单 邀请 会议 活动")},
	{intent: IntentCancel, phrase: "取消|取消掉|关掉|关了|停掉|退订|不用了|解约|注销|都取消", whole: true, notBefore: zhInnocentObjects},
	{intent: IntentCancel, phrase: "退订", before: strings.Fields("客户 顾客 用户 收件人 读者 会员们"), stop: strings.Fields("邮件 通讯 电子报 短信 推送 newsletter 营销")},
	{intent: IntentCancel, phrase: "注销", before: append(zhCredentials, zhPeople...), stop: zhCredentials},
	{intent: IntentCancel, phrase: "销户"},
	{intent: IntentCancel, phrase: "已经取消|就取消了|取消了|早就取消|已取消", need: strings.Fields("扣 收费 计费 账单 帐单 还在收 刷了 付款 收了"),
		before: strings.Fields("订单 客户 顾客 买家 客人 成员 工单 邀请 会议 活动 模块 模组 加购 附加 插件 功能 席位")},
	{intent: IntentCancel, phrase: "到此为止|到这里为止|就到这里|就到这边", need: zhSubj},
	{intent: IntentCancel, phrase: "终止|停掉|停止|关掉|关一下|关下|解除", need: strings.Fields("自动续费 自动续约 自动续订 自动扣款 扣款授权")},
	{intent: IntentCancel, phrase: "解约|解除合同|解除合约|提前终止", before: strings.Fields("客户 他们 顾客"), stop: strings.Fields("条款")},
	{intent: IntentCancel, phrase: "停了", near: strings.Fields("订阅 合约 合同 自动续 续费 会员 账号 帐号"),
		stop: strings.Fields("一整天 一天 小时 好几 半天 一下 几天")},
	{intent: IntentCancel, phrase: "停用|关闭|关掉|停掉|关了|中止", near: zhSubj, before: zhPeople,
		stop: strings.Fields("通知 提醒 功能 模块 邮件 两步 双重 弹窗 声音")},
	{intent: IntentCancel, phrase: "终止|结束|解除|中断", near: zhContract, before: strings.Fields("客户 工作流 流程 任务"), stop: strings.Fields("条款"),
		stopNext: strings.Fields("后 以后 之后 时")},
	{intent: IntentCancel, phrase: "停一下|停下来", near: zhSubj, before: zhPeople},
	{intent: IntentCancel, phrase: "停用|弃用", atEnd: true, before: append(strings.Fields("功能 模块 通知 提醒 报表 字段 插件 权限 附加 按钮"), zhPeople...)},
	{intent: IntentCancel, phrase: "不买了|不再买|不会再买|就不买|不续买", before: append(strings.Fields("功能 模块 插件 加购 附加 席位"), zhPeople...)},
	{intent: IntentCancel, phrase: "用下去|合作下去|撑下去|坚持下去|续下去", wantNeg: true, anyNeg: true},
	{intent: IntentCancel, phrase: "用不下去|撑不下去|坚持不下去|合作不下去"},
	{intent: IntentCancel, phrase: "不再编列|不编列|不再编预算|不编预算|不列预算"},
	{intent: IntentCancel, phrase: "砍掉|要砍|被砍|砍的|砍了", near: zhSubj, stop: zhSeatCount},
	{intent: IntentCancel, phrase: "结束营业|倒闭|解散|关门|歇业|停业"},
	{intent: IntentCancel, phrase: "删除|删掉", near: zhAccount, before: append(strings.Fields("测试"), zhPeople...), stop: zhPeople},
	{intent: IntentCancel, phrase: "续约|续费|续订|续签|续用|续了|续下去|续买|续购|继续|采购|合作", wantNeg: true},
	{intent: IntentCancel, phrase: "停止订阅|停止使用|停止合作|停止续|停止扣|停止收费|停止计费|停扣|不再使用|弃用"},
	{intent: IntentCancel, phrase: "再扣|再收费|再计费|再付|再续|再用", wantNeg: true},
	{intent: IntentCancel, phrase: "不需要|不用|用不到|用不上|不再需要", near: strings.Fields("服务 订阅 账号 帐号 系统 平台 这套 你们 产品 软件 工具"),
		stop: strings.Fields("退款 退费 客服 联系 回复 人工 处理 了解 担心 麻烦 加 升级"), before: append(strings.Fields("外包"), zhPeople...)},
	{intent: IntentCancel, phrase: "不用了|不再用了|不会再用了|不想用了|不打算用了|不要了|唔再用|唔用", atEnd: true,
		before: strings.Fields("功能 模块 通知 提醒 报表 字段 插件 权限 附加 这个按钮 退款 退费 退钱 补偿 折抵")},
	{intent: IntentCancel, phrase: "不再用|不会再用|不想再用|不打算再用|不准备再用|唔会再用", before: append(strings.Fields("外包"), zhPeople...),
		stop: strings.Fields("这个功能 那个功能 这个按钮 旧版")},
	{intent: IntentCancel, phrase: "退出", near: zhContract, stop: strings.Fields("登录 登入 账号登录")},
	{intent: IntentCancel, phrase: "放弃", need: strings.Fields("续约 续费 续订 订阅 合作 使用 你们 服务 价格 价")},
	{intent: IntentCancel, phrase: "最后一个月|最后一期|用到月底|用到这个月底|用完这个月|用到这"},
	{intent: IntentCancel, phrase: "到期|期满|这期结束|本期结束", refused: true},
	{intent: IntentCancel, phrase: "续约|续费|续订|续签|续用|续期", refused: true},
	{intent: IntentCancel, phrase: "不再签|不签了|不会再签|不打算再签|不准备再签", near: zhContract},
	{intent: IntentCancel, phrase: "续", wantNeg: true, atEnd: true},
	{intent: IntentCancel, phrase: "没有你们|没你们|不包括你们|不再包括你们|不含你们", near: strings.Fields("清单 名单 采购 预算 计划")},
	{intent: IntentCancel, phrase: "停一停|先停|暂停合作|暂停使用|暂停服务|暂停订阅|暂停续约|暂停续费|只能停|只好停|只能先停|只好先停|只得停|不得不停", before: zhInnocentObjects, stop: zhInnocentObjects},
	{intent: IntentCancel, phrase: "退掉", near: strings.Fields("订阅 会员 服务 账号 帐号 合约 合同"), before: zhPeople},
	{intent: IntentCancel, phrase: "回去用|回到|改回|用回|换回|退回到|搬回|挪回|转回|迁回|回归", follow: strings.Fields("excel 表格 纸本 手工 人工 邮件 纸笔 试算表 google")},
	{intent: IntentCancel, phrase: "离开", before: zhPeople, stop: strings.Fields("公司 座位 页面 办公室")},
	{intent: IntentCancel, phrase: "就撤|撤了|撤出|撤离|走人|分手|不合作"},
	{intent: IntentCancel, phrase: "名单", wantNeg: true, need: strings.Fields("保留 供应商 厂商 合作")},

	// competitor
	{intent: IntentCompetitor, phrase: "换成|换到|换去|转到|转去|转用|改用|换用|迁到|迁移到|迁去|搬到|搬去|切到|切换到|改成用|换个", stop: zhStopMove, before: zhThirdParty, target: true},
	{intent: IntentCompetitor, phrase: "换过去|转过去|迁过去|搬过去|换掉|搬走|迁走|换掉你们|另寻|另找|统一过去|统一到|统一用|一起过去|一起转|一起换|跟着换|整合到|" +
		"跟着过去|跟过去|也会过去|陆续过去|陆续迁|陆续换|跟着迁|跟着转"},
	{intent: IntentCompetitor, phrase: "竞品|竞争对手|友商|别家|其他家|其它家|另一家|另外一家|换一家|换家|第二家|第二间|别间|其他厂商|其他供应商|别的厂商|别的供应商|其他品牌|竞争产品",
		stop: zhInnocentOther},
	{intent: IntentCompetitor, phrase: "别的|其他|其它|另一个|另外的|另外一个|另一套|别套|其他的|另一款|另外一款|别款|另一间|另外一间", follow: zhOther, stop: zhInnocentOther},
	{intent: IntentCompetitor, phrase: "几家|多家|各家|好几家|几款|几个厂商|几个供应商|几个平台|几套", need: strings.Fields("比较 对比 评估 考虑 看 选 调研 定 试用")},
	{intent: IntentCompetitor, phrase: "类似的产品|类似产品|同类产品|类似的工具|类似的系统|类似的软件|类似的平台", need: strings.Fields("考虑 评估 试用 比较 对比 换 看 签")},
	{intent: IntentCompetitor, phrase: "评估|试用|测试|对比|比较|考察|调研|试试|试一下|试下|试一试|用用看|看看|在看|接触|导入|签约|签了|选了|选定|决定用|改签|poc", nearName: true,
		stop: strings.Fields("期 版 环境 沙盒 沙箱 账号 帐号 通知 整合 集成 机器人 推送 串接 对接 你们新 你们的新 你们推出 你们新推出 贵司新"), stopAfter: 14,
		stopNext: strings.Fields("功能")},
	{intent: IntentCompetitor, phrase: "poc|proof of concept"},
	{intent: IntentCompetitor, phrase: "试点|先试|试试看|试用一下", needName: true, stop: strings.Fields("集成 功能 整合 对接 通知 你们")},
	{intent: IntentCompetitor, phrase: "迁移|搬迁|转移", nearName: true, stop: strings.Fields("数据中心 机房 服务器 节点 域名 区域")},
	{intent: IntentCompetitor, phrase: "会换|要换|就换|准备换|打算换|考虑换|得换|只好换|只能换", atEnd: true},
	{intent: IntentCompetitor, phrase: "报价|便宜|一半|价钱|价格", nearName: true},
	{intent: IntentCompetitor, phrase: "给的|开的|报的", nearName: true, follow: strings.Fields("价")},
	{intent: IntentCompetitor, phrase: "整并|整合|精简|缩减|收敛|砍掉一些", follow: strings.Fields("供应商 厂商 工具 系统 平台")},
	{intent: IntentCompetitor, phrase: "找到", follow: strings.Fields("更适合 更好 更便宜 更合适 其他 别的 替代 另一个 另外")},
	{intent: IntentCompetitor, phrase: "替代|取代|替换", stop: strings.Fields("办法 方法 方式 文字 字 图片 文本 品 掉这个字段")},
	{intent: IntentCompetitor, phrase: "两边|两家|两套", need: strings.Fields("比较 对比 比一比 比一下 选")},

	// downgrade
	{intent: IntentDowngrade, phrase: "降级|降一级|降一档|降档|降到|降回|降为|降成|降一个|降低方案|降低套餐|降一下", stop: zhRoles, before: append(strings.Fields("权限 角色"), zhPeople...)},
	{intent: IntentDowngrade, phrase: "小一点的|便宜一点的|便宜点的|低一点的|更便宜的|更小的|低一级的|低一档的|便宜些的|小一些的", follow: strings.Fields("套餐 方案 版 plan")},
	{intent: IntentDowngrade, phrase: "调到|调成|改成|改为|变成|减到", near: zhSeatCount, stop: strings.Fields("加 增加 多加 新增 多开"),
		need: strings.Fields("走了 离职 少了 只剩 只有 用不到 用不上 不需要 缩编 裁员 减少")},
	{intent: IntentDowngrade, phrase: "拿掉|去掉|移除|退掉|取消掉|不要了", atEnd: true, need: zhAddOn, before: append(strings.Fields("对接 集成 串接 整合 连接"), zhPeople...)},
	{intent: IntentDowngrade, phrase: "可以少|少要|少开|少买|少订|少留", near: zhSeatCount, stop: strings.Fields("加 增加 多加")},
	{intent: IntentDowngrade, phrase: "换成|改成|转成|调成|改为|换到|转到|切到|改用|转为|换", follow: zhCheap},
	{intent: IntentDowngrade, phrase: "改回|换回|退回|降回|回到", follow: append(strings.Fields("升级前 原来 之前 以前 旧 原本"), zhCheap...)},
	{intent: IntentDowngrade, phrase: "去掉|拿掉|移除|砍掉|删减|退掉|释放|取消掉", near: zhSeats,
		before: strings.Fields("同事 员工 离职 测试 某个 他 她")},
	{intent: IntentDowngrade, phrase: "减少|减到|减掉|减为|减成|少买|少订|缩减|降低|少开|调回|调低|调少|降到|只留|只保留|只需要|只需|只要|只用", near: zhSeatCount,
		before: strings.Fields("同事 员工 离职 测试 某个"), stop: strings.Fields("加 增加 多加 新增 多开")},

	// price
	{intent: IntentPrice, phrase: "贵", shortNeg: true,
		stop:   strings.Fields("司 公司 方 单位 宾 姓 校 国 院 州 阳 团队 部门 行 平台 产品 系统"),
		before: strings.Fields("宝 珍 富 尊 可")},
	{intent: IntentPrice, phrase: "价格|价钱|收费|费用|报价|定价|月费|年费|单价|售价|价位|账单|帐单|费率|续约价|续费价",
		follow: strings.Fields("高 涨 贵 超出 超过 离谱 吃不消 接受不了 没法接受 无法接受 没办法接受 受不了 两倍 翻倍 一倍 三成 变多 多了 不合理 过分 夸张 扛不住 顶不顺 顶唔顺 太 增加 上调 调高"),
		stop:   append(strings.Fields("没问题 不是问题 可以接受 合理 还好 没关系 不是重点 不高 不贵 不太 不算 不会太 没那么 冇问题"), zhOwnPricing...)},
	{intent: IntentPrice, phrase: "涨价|提价|调价|加价|价格上涨|价格涨|费用涨|收费涨|降价|半价|一半的价", stop: strings.Fields("通知 邮件 公告 说明 信")},
	{intent: IntentPrice, phrase: "一半的钱|一半的费用|一半的价钱|一半价钱"},
	{intent: IntentPrice, phrase: "花的是|付的是|交的是", need: strings.Fields("钱")},
	{intent: IntentPrice, phrase: "负担太重|负担很重|负担太大|负担有点重|很大的负担|负担不轻|负担不小", need: append(strings.Fields("块 元 每月 每个月 每年 $"), zhPriceWord...)},
	{intent: IntentPrice, phrase: "负担不起|付不起|用不起|承担不起|负担不了", stop: strings.Fields("来")},
	{intent: IntentPrice, phrase: "吃不消|扛不住|顶唔顺|顶不顺|顶不住", need: zhPriceWord},
	{intent: IntentPrice, phrase: "不值|不划算|划不来|冤枉钱|浪费钱|没必要花|没必要付|不想再花|不想再付|白花钱|花得太多|花太多|钱花得|花了太多|付得太多|付太多"},
	{intent: IntentPrice, phrase: "降一点|降点|再降|降低一点|打个折|便宜些", need: zhPriceWord},
	{intent: IntentPrice, phrase: "性价比", stop: strings.Fields("高 不错 很好 挺好 好 最高")},
	{intent: IntentPrice, phrase: "便宜", before: strings.Fields("比预期 比想象 比预想 比我们想 比原本 比原来")},
	{intent: IntentPrice, phrase: "打折|折扣|优惠", before: strings.Fields("年付 年缴 按年 一次付 预付 多年 一次缴"), noQuestion: true,
		stop: strings.Fields("还能用 还适用 适用 还有效 有效 还在 还算")},
	{intent: IntentPrice, phrase: "预算", follow: zhShortfall, stop: strings.Fields("内 范围内 之内 里面")},
	{intent: IntentPrice, phrase: "费用压力|成本压力|成本太高|这么多钱|那么多钱|这么贵|那么贵"},
	{intent: IntentPrice, phrase: "这个价|这价|这种价|这样的价|这个费用|这个钱|这笔钱", noQuestion: true,
		stop: strings.Fields("含 包含 包括 是否 是不是 没问题 可以接受 还可以 合理 多少 怎么算 不变 退")},
	{intent: IntentPrice, phrase: "涨到|涨了|涨成|翻倍|翻了一倍|涨这么多|涨太多", need: append(strings.Fields("元 块 千 万 $ 续费 续约"), zhPriceWord...)},
	{intent: IntentPrice, phrase: "年年加|年年涨|又加价|又涨|越来越贵|越嚟越贵|负担唔起|付唔起|俾唔起|负担不来"},
	{intent: IntentPrice, phrase: "比照|对标|参照|看齐|给的价|开的价|给的报价", need: strings.Fields("价 报价")},
	{intent: IntentPrice, phrase: "付着|花着|付著|花著|付了这么多|花了这么多", need: zhPriceWord},

	// refund
	{intent: IntentRefund, phrase: "退款|退钱|退费|退还|返还|钱退|退回|退给|拒付|刷退|退我们|退差价|补偿|赔偿|折抵|抵扣|退货|退款项", received: true,
		stop: strings.Fields("政策 规则 流程 功能 按钮 给买家 给客户 给顾客 给客人 给消费者 给用户 给他 给她 他们 她们 方案 套餐 版本 原来 之前 上一步 首页 " +
			"报表 导出 显示 版"),
		before: strings.Fields("买家 客户 顾客 客人 消费者 订单 邮件 信件 给他 给她 帮他 帮她")},
	{intent: IntentRefund, phrase: "退", atEnd: true, need: zhCharge, received: true, before: zhBuyers},
	{intent: IntentRefund, phrase: "争议", need: strings.Fields("银行 信用卡 款项 刷卡 发卡")},
	{intent: IntentRefund, phrase: "退一下|退掉费用|退回费用|钱还给|还钱"},
	{intent: IntentRefund, phrase: "撤销|撤回|冲正|冲销", near: strings.Fields("笔 扣款 扣费 费用 款项 扣了")},
}

// zhCompiled holds zhPatterns with their alternatives expanded, one
// phrase each, indexed by the first rune of their phrase.
var zhCompiled = sync.OnceValue(func() map[rune][]zhPattern {
	out := map[rune][]zhPattern{}
	for _, p := range zhPatterns {
		for alt := range strings.SplitSeq(p.phrase, "|") {
			q := p
			q.phrase = alt
			r, _ := utf8.DecodeRuneInString(alt)
			out[r] = append(out[r], q)
		}
	}
	return out
})

// clauseStart returns the byte index where the clause containing text[i]
// begins.
func clauseStart(text string, i int) int {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if isClauseBreak(r) {
			return i
		}
		i -= size
	}
	return 0
}

// clauseEnd returns the byte index where the clause containing text[i]
// ends.
func clauseEnd(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isClauseBreak(r) {
			return i
		}
		i += size
	}
	return len(text)
}

// runesBefore returns up to n runes of text ending at byte i, not crossing
// the start of the clause.
func runesBefore(text string, i, n int) string {
	lo := clauseStart(text, i)
	j := i
	for k := 0; k < n && j > lo; k++ {
		_, size := utf8.DecodeLastRuneInString(text[lo:j])
		j -= size
	}
	return text[j:i]
}

// runesAfter returns up to n runes of text starting at byte i, stopping at a
// clause break.
func runesAfter(text string, i, n int) string {
	j := i
	for k := 0; k < n && j < len(text); k++ {
		r, size := utf8.DecodeRuneInString(text[j:])
		if isClauseBreak(r) {
			break
		}
		j += size
	}
	return text[i:j]
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// zhFillers are stripped from a clause before a whole-clause match.
var zhFillers = strings.NewReplacer("你们这边", "", "这边", "", "帮忙", "", "一下", "", "请", "", "帮我们", "", "帮我", "", "麻烦", "", "直接", "", "那就", "", "就", "", "吧", "", "了", "",
	"啊", "", "呀", "", "啦", "", "吗", "", "好", "", "唔该", "", " ", "", "\u3000", "")

// zhNegatedBy reports whether s holds a negating rune (不, 别, 没, 唔, 冇) that is
// not part of a word of zhNotNeg ("不能", "区别", "要不要").
func zhNegatedBy(s string) bool {
	var covered []bool // per byte of s: inside a zhNotNeg word
	for _, w := range zhNotNeg {
		for off := 0; ; {
			k := strings.Index(s[off:], w)
			if k < 0 {
				break
			}
			if covered == nil {
				covered = make([]bool, len(s))
			}
			for b := off + k; b < off+k+len(w); b++ {
				covered[b] = true
			}
			off += k + len(w)
		}
	}
	for i, r := range s {
		if (r == '不' || r == '别' || r == '没' || r == '唔' || r == '冇') && (covered == nil || !covered[i]) {
			return true
		}
	}
	return false
}

// zhNegation is how a phrase is negated.
type zhNegation int

const (
	zhNotNegated zhNegation = iota
	zhNegated               // no intent
	zhStays                 // no intent, and the customer says it stays
)

// zhNegationAt reports whether and how a phrase of intent at text[at:]
// that is no wantNeg phrase is negated: by a volitional or counterfactual
// negation (zhNegators) within 6 runes before it, by a negated intention
// (zhIntending) anywhere before it in its clause up to a contrast
// (zhNegStop: "不会因为这样就退订"), or, for a cancel, competitor or downgrade
// phrase (the customer's own acts, not the vendor's price or refund), by a
// 不 or 别 right before it ("不换到"), all of which say the customer stays
// when the phrase is leaving; or by a 没 right before it ("根本没取消": a
// fact) or a remote hypothetical ("万一"), which only negate.
func zhNegationAt(text string, at int, in Intent) zhNegation {
	before := runesBefore(text, at, 6)
	wide := runesBefore(text, at, 14)
	for _, c := range zhNegStop {
		if k := strings.LastIndex(wide, c); k >= 0 {
			wide = wide[k+len(c):]
		}
	}
	own := in != IntentPrice && in != IntentRefund
	neg := zhNegRightBefore(text, at)
	switch {
	case containsAny(before, zhNegators) || containsAny(wide, zhIntending) || own && (neg == '不' || neg == '别'):
		if intentBit(in)&leavingBits != 0 {
			return zhStays
		}
		return zhNegated
	case neg == '没' && containsAny(runesAfter(text, at, 10), zhIntentions):
		// "没有换系统的打算": no intention of it
		if intentBit(in)&leavingBits != 0 {
			return zhStays
		}
		return zhNegated
	case containsAny(before, zhHypotheticals) || own && neg == '没':
		return zhNegated
	}
	return zhNotNegated
}

// zhIntentions, after a phrase negated by 没, make it an intention that is
// not there ("没有换系统的打算").
var zhIntentions = strings.Fields("的打算 的计划 的想法 的意思 的念头 的意愿")

// zhNegRightBefore returns the negating rune (不, 别 or 没, 没有 counting
// as 没) that stands right before text[at:], or 0; a rune of a zhNotNeg
// word ("有没有", "要不要", "别的") is none.
func zhNegRightBefore(text string, at int) rune {
	near := runesBefore(text, at, 4)
	trimmed := strings.TrimSuffix(near, "有")
	r, _ := utf8.DecodeLastRuneInString(trimmed)
	if r != '不' && r != '别' && r != '没' || trimmed != near && r != '没' {
		return 0
	}
	if !zhNegatedBy(near) {
		return 0
	}
	return r
}

// zhSaysStaying reports whether text says, with a negated leaving verb
// (zhLeaveVerbs, negated as zhNegationAt says), that the customer stays
// ("没有要换系统", "我们不换到简道云", "不会因为这样就退订").
func zhSaysStaying(text string) bool {
	return zhSaysOwnAct(text, zhLeaveVerbs, IntentCancel, zhStays)
}

// zhSaysOwnAct reports whether one of the verbs of the customer's own act
// of intent in stands in text negated at least as strongly as want (see
// zhNegationAt). A 降 of a price (降价, 降低) is no act of the customer.
func zhSaysOwnAct(text string, verbs []string, in Intent, want zhNegation) bool {
	return zhAnyAt(text, verbs, func(at, end int) bool {
		if in == IntentDowngrade && (strings.HasPrefix(text[end:], "价") || strings.HasPrefix(text[end:], "低")) {
			return false
		}
		return zhNegationAt(text, at, in) >= want
	})
}

// zhAnyAt reports whether f holds for some occurrence text[at:end] of one
// of words.
func zhAnyAt(text string, words []string, f func(at, end int) bool) bool {
	for _, w := range words {
		for off := 0; ; {
			k := strings.Index(text[off:], w)
			if k < 0 {
				break
			}
			at := off + k
			off = at + len(w)
			if f(at, off) {
				return true
			}
		}
	}
	return false
}

// zhAsked reports whether the clause of text[at:end] asks a question (it
// ends with a question mark or holds 吗).
func zhAsked(text string, at, end int) bool {
	ce := clauseEnd(text, end)
	r, _ := utf8.DecodeRuneInString(text[ce:])
	return r == '？' || r == '?' || strings.Contains(text[at:ce], "吗")
}

// negated reports whether the phrase at text[at:] is negated as the
// pattern asks (see zhPattern).
func (pat *zhPattern) negated(text string, at int) bool {
	if pat.wantNeg && pat.anyNeg {
		before := runesBefore(text, at, 8)
		return zhNegatedBy(before) || containsAny(before, zhUnable)
	}
	if pat.wantNeg {
		return zhNegatedBy(runesBefore(text, at, 6))
	}
	if pat.shortNeg {
		before := runesBefore(text, at, 3)
		for _, s := range []string{"不", "不算", "没那么", "没有那么", "没多", "不太", "不会太"} {
			if strings.HasSuffix(before, s) {
				return true
			}
		}
	}
	return zhNegationAt(text, at, pat.intent) != zhNotNegated
}

// latinName reports whether s holds a product name: a run of Latin letters
// (with digits, '.', '-') of at least two letters that is not a common
// abbreviation, or a Chinese vendor's name.
func latinName(s string) bool {
	if containsAny(s, zhVendors) {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if !(c >= 'a' && c <= 'z') {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == '-') {
			j++
		}
		w := strings.TrimRight(s[i:j], ".-")
		if len(w) >= 2 && !containsWord(zhLatinCommon, w) {
			return true
		}
		i = j
	}
	return false
}

func containsWord(words []string, w string) bool {
	for _, x := range words {
		if x == w {
			return true
		}
	}
	return false
}

// zhBuyers are the customer's own clients: a price they find too high is
// not the customer's ("有个客户嫌贵").
var zhBuyers = strings.Fields("客户 顾客 客人 买家 消费者")

// zhDeals: what a customer has with a party ("和物流公司的合同").
var zhDeals = strings.Fields("合同 合约 合作 协议 契约 订阅")

// zhOurs: an account that is the customer's own.
var zhOurs = strings.Fields("我们的 我的 公司的 团队的 本公司 咱们的 我哋")

// zhStrongSubj: the words that make a cancel about the customer's own
// account or contract with this product even in a sentence about a mailing.
var zhStrongSubj = strings.Fields("账号 账户 帐号 帐户 合同 合约 服务 套餐 方案 会员 续 plan account")

// zhCancelObject reports whether the object of the cancel phrase at
// text[at:end] can be the customer's subscription, account or contract
// with this product (see enCancelObject). It cannot when
//
//   - what follows is owned by someone else ("停掉他的定期账单");
//   - its clause names a deal with another party ("我们和物流公司的合同到期不续了");
//   - its sentence names a mailing before it and its clause names no
//     account or contract ("营销邮件太多了，怎么退订？");
//   - a trial is ended to buy the paid product ("试用到期直接转成付费版");
//   - someone's account (的账号) is closed in a ticket saying that a person
//     left the company, and the clause does not say it is ours.
func zhCancelObject(text string, at, end int) bool {
	after := strings.TrimLeft(runesAfter(text, end, 6), " ")
	for _, o := range zhOthersOwn {
		if strings.HasPrefix(after, o) {
			return false
		}
	}
	clause := text[clauseStart(text, at):clauseEnd(text, end)]
	head := text[clauseStart(text, at):at]
	for _, w := range []string{"跟", "和", "与", "同"} {
		if k := strings.LastIndex(head, w); k >= 0 && containsAny(head[k:], zhOthersParty) && containsAny(clause[k:], zhDeals) {
			return false
		}
	}
	if departed(text) && strings.Contains(clause, "的账") && !containsAny(clause, zhOurs) {
		return false // "把张三的账号停掉，他离职了"
	}
	sentence := text[sentenceStart(text, at):at]
	if containsAny(sentence, zhMailings) && !containsAny(clause, zhStrongSubj) {
		return false
	}
	return !strings.Contains(clause, "试用") || !trialToPaid(text)
}

// sentenceStart returns the byte index where the sentence containing
// text[i] begins (after 。！？!? or a new line).
func sentenceStart(text string, i int) int {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		switch r {
		case '。', '！', '？', '!', '?', '\n':
			return i
		}
		i -= size
	}
	return 0
}

// zhTowardProduct reports whether the move found at text[at:end] goes
// toward another product (see zhPattern.target).
func zhTowardProduct(text string, at, end int) bool {
	after := runesAfter(text, end, 12)
	if !latinName(after) && !containsAny(after, zhMoveTarget) {
		return false
	}
	before := runesBefore(text, at, 10)
	if k := strings.LastIndex(before, "把"); k >= 0 && !containsAny(before[k:], zhMovedThing) {
		return false // "把单点登录换成 Okta": something else is moved
	}
	return true
}

// zhTiers ranks the names of plans, cheapest first.
var zhTiers = []struct {
	word string
	rank int
}{
	{"免费", 0}, {"入门", 1}, {"基础", 1}, {"基本", 1}, {"精简", 1}, {"轻量", 1}, {"lite", 1}, {"starter", 1}, {"basic", 1},
	{"标准", 2}, {"专业", 3}, {"pro", 3}, {"商业", 4}, {"商务", 4}, {"高级", 4}, {"进阶", 4}, {"business", 4}, {"premium", 4},
	{"企业", 5}, {"旗舰", 5}, {"enterprise", 5},
}

// zhTierIn returns the rank of the first plan named in s, or -1.
func zhTierIn(s string) int {
	best, at := -1, len(s)
	for _, t := range zhTiers {
		if k := strings.Index(s, t.word); k >= 0 && k < at {
			best, at = t.rank, k
		}
	}
	return best
}

// zhTierDown reports IntentDowngrade when a clause moves from (从) one plan
// to a cheaper one ("下次续约的时候想从企业版换到专业版").
func zhTierDown(text string) uint8 {
	for off := 0; ; {
		k := strings.Index(text[off:], "从")
		if k < 0 {
			return 0
		}
		from := off + k + len("从")
		off = from
		seg := runesAfter(text, from, 20)
		for _, v := range []string{"换到", "换成", "改成", "降到", "转到", "改为", "切到", "调整为", "调整成", "转成", "改到", "到"} {
			j := strings.Index(seg, v)
			if j < 0 {
				continue
			}
			hi, lo := zhTierIn(seg[:j]), zhTierIn(seg[j+len(v):])
			if hi >= 0 && lo >= 0 && lo < hi {
				return intentBit(IntentDowngrade)
			}
			break
		}
	}
}

// zhStaying are phrases that say the customer is not leaving or chose
// this product (see enStaying).
var zhStaying = strings.Fields("没打算走 没有要走 不会走 没要走 不打算走 没有要离开 不会离开 不打算离开 选了你们 选择了你们 选了贵司 选择贵司 最后选了 选对了")

// detectChinese returns the Chinese intents of text and whether it says
// that the customer stays (a zhStaying phrase, or a negated leaving verb,
// see zhSaysStaying); see detectIntent for what staying does.
func detectChinese(text string) (uint8, bool) {
	lower := strings.ToLower(text)
	found := detectChinesePatterns(lower)
	if found&intentBit(IntentDowngrade) != 0 && zhSaysOwnAct(lower, []string{"降"}, IntentDowngrade, zhNegated) {
		found &^= intentBit(IntentDowngrade) // "降级的话差在哪？先问问，没有要降"
	}
	return found, found&leavingBits != 0 && (containsAny(text, zhStaying) || zhSaysStaying(lower) || zhSaysRenewing(lower))
}

// zhSaysRenewing reports whether text says, with a zhRenewing phrase that
// is neither negated nor asked, that the customer will renew ("还是会续").
func zhSaysRenewing(text string) bool {
	return zhAnyAt(text, zhRenewing, func(at, end int) bool {
		return !zhNegatedBy(runesBefore(text, at, 6)) && !zhAsked(text, at, end)
	})
}

func detectChinesePatterns(text string) uint8 {
	pats := zhCompiled()
	var found uint8
	if strings.Contains(text, "从") {
		found |= zhTierDown(text)
	}
	for at, r := range text {
		for i := range pats[r] {
			pat := &pats[r][i]
			bit := intentBit(pat.intent)
			if found&bit != 0 || !strings.HasPrefix(text[at:], pat.phrase) {
				continue
			}
			if pat.need != nil && !containsAny(text, pat.need) {
				continue
			}
			if pat.matches(text, at, at+len(pat.phrase)) {
				found |= bit
			}
		}
	}
	return found
}

// matches reports whether the phrase found at text[at:end] counts.
func (pat *zhPattern) matches(text string, at, end int) bool {
	if pat.notBefore != nil && containsAny(text[:at], pat.notBefore) {
		return false
	}
	if pat.needName && !latinName(text) {
		return false
	}
	if pat.whole {
		clause := zhFillers.Replace(text[clauseStart(text, at):clauseEnd(text, at)])
		return clause == pat.phrase && !pat.negated(text, at)
	}
	after, before := runesAfter(text, end, 8), runesBefore(text, at, 12)
	if (pat.intent == IntentCompetitor || pat.intent == IntentRefund) && containsAny(before, zhThirdParty) ||
		pat.intent == IntentPrice && containsAny(before, zhBuyers) {
		return false
	}
	if pat.intent == IntentCancel && !zhCancelObject(text, at, end) {
		return false
	}
	if pat.refused && !containsAny(after, zhRefusals) {
		return false
	}
	if !pat.wantNeg && !pat.refused && containsAny(runesAfter(text, end, 4), zhPostNeg) {
		return false
	}
	if pat.intent == IntentRefund && containsAny(text[sentenceStart(text, at):at], zhBuyers) {
		return false // "买家申请退款，我们要在哪里按退款？": the buyers' refund
	}
	if pat.target && !zhTowardProduct(text, at, end) {
		return false
	}
	if pat.atEnd && zhFillers.Replace(text[end:clauseEnd(text, end)]) != "" {
		return false
	}
	if pat.noQuestion && zhAsked(text, at, end) {
		return false
	}
	if pat.follow != nil && !containsAny(after, pat.follow) {
		return false
	}
	if pat.near != nil && !containsAny(runesAfter(text, end, 10), pat.near) && !containsAny(runesBefore(text, at, 10), pat.near) {
		return false
	}
	if pat.nearName && !latinName(runesAfter(text, end, 10)) && !latinName(runesBefore(text, at, 10)) {
		return false
	}
	if pat.stopAfter > 0 {
		after = runesAfter(text, end, pat.stopAfter)
	}
	if pat.stop != nil && containsAny(after, pat.stop) {
		return false
	}
	for _, w := range pat.stopNext {
		if strings.HasPrefix(strings.TrimLeft(text[end:], " "), w) {
			return false
		}
	}
	if pat.before != nil && containsAny(before, pat.before) {
		return false
	}
	if pat.received && !containsAny(text, zhNotYet) && (containsAny(text, zhReceived) || containsAny(text, zhApproved) && containsAny(text, zhThanks)) {
		return false
	}
	return pat.negated(text, at) == pat.wantNeg
}
