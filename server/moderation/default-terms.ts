import type { ProhibitedTerm } from '../../client-sdk/src/live-room-types.ts';

/**
 * Shipped defaults: absolute claims that advertising law forbids on air in live commerce.
 * - PRC Advertising Law (2015, amended 2021) Art. 9(3): ads may not use "国家级", "最高级", "最佳"
 *   or similar terms; Art. 17/18: no claims of cure or guaranteed efficacy for medical products and
 *   health foods ("100%有效", "根治", "无效退款").
 * - SAMR 《网络直播营销管理办法（试行）》(2021) Art. 18 and the SAMR guidance on 绝对化用语 (2023):
 *   live-commerce hosts are advertisers and the same absolute terms apply to what they say.
 * - US FTC Act §5 / EU Unfair Commercial Practices Directive Annex I: unsubstantiated superlatives
 *   and guaranteed results ("100% effective", "guaranteed cure", "number one") are deceptive.
 * Operators edit the list per session; these are a starting point, not legal advice.
 */
const AD_LAW = '广告法第九条：不得使用"国家级""最高级""最佳"等用语 (PRC Advertising Law Art. 9(3), absolute terms)';
const EFFICACY = '广告法第十七/十八条：不得保证功效 (Advertising Law Art. 17–18: no guaranteed efficacy or cure)';
const FTC = 'unsubstantiated absolute claim (FTC Act §5 / EU UCPD Annex I)';
const ABUSE = 'abusive language: never read aloud (user names and comments)';

const block = (term: string, reason: string): ProhibitedTerm => ({ term, action: 'block', reason });

export const DEFAULT_PROHIBITED_TERMS: readonly ProhibitedTerm[] = [
  ...['国家级', '最高级', '最佳', '最好', '第一', '顶级', '极品', '全网最低', '史上最', '绝无仅有', '万能', '首选', '独一无二', '最低价', '唯一'].map((t) => block(t, AD_LAW)),
  ...['100%有效', '百分之百有效', '根治', '药到病除', '无效退款', '包治', '永不复发', '零风险'].map((t) => block(t, EFFICACY)),
  ...['傻逼', '操你', '妈的', '他妈', '贱人', 'fuck', 'fucking', 'shit', 'bitch', 'asshole', 'cunt'].map((t) => block(t, ABUSE)),
  ...['the best', 'best ever', 'number one', 'no. 1', '#1', 'world-class', 'guaranteed results', '100% effective', 'miracle', 'cures', 'risk-free', 'lowest price ever'].map((t) => block(t, FTC)),
];
