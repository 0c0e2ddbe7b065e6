import type { Family } from './catalogue';
import type { SchoolStyle } from './institutions';

/** A faculty (学部・研究科 stem such as `理学`) and a building name, e.g. `['理学', '化学棟']`. */
export type BuildingSeed = readonly [faculty: string, building: string];

/** Where instruments of each family usually sit. */
export const FAMILY_BUILDINGS: Readonly<Record<Family, readonly BuildingSeed[]>> = {
  chem: [
    ['理学', '化学棟'],
    ['工学', '応用化学棟'],
    ['薬学', '本館'],
    ['工学', '化学系研究棟'],
  ],
  material: [
    ['工学', '材料系研究棟'],
    ['工学', '総合研究棟'],
    ['理学', '物理系研究棟'],
  ],
  bio: [
    ['農学', '本館'],
    ['理学', '生物学棟'],
    ['薬学', '研究棟'],
    ['生命科学', '研究棟'],
  ],
  med: [
    ['医学', '共同研究棟'],
    ['医学', '基礎研究棟'],
    ['歯学', '研究棟'],
  ],
  physics: [
    ['理学', '物理学棟'],
    ['工学', '応用物理棟'],
  ],
  fab: [['工学', 'クリーンルーム棟']],
  earth: [
    ['理学', '地球科学棟'],
    ['環境科学', '研究棟'],
  ],
  eng: [
    ['工学', '機械系研究棟'],
    ['工学', '土木・建築系研究棟'],
  ],
};

const TODAI_SCHOOLS: Readonly<Record<string, string>> = {
  理学: '理学系研究科',
  工学: '工学系研究科',
  薬学: '薬学系研究科',
  医学: '医学系研究科',
  歯学: '医学系研究科',
  農学: '農学生命科学研究科',
  生命科学: '理学系研究科',
  環境科学: '理学系研究科',
};

/** The graduate school name for a faculty stem in an institution's naming style. */
export function schoolName(faculty: string, style: SchoolStyle): string {
  if (style === 'todai') return TODAI_SCHOOLS[faculty] ?? `${faculty}系研究科`;
  if (faculty === '環境科学') return style === 'kenkyuin' ? '地球環境科学研究院' : '環境科学研究科';
  return `${faculty}${style === 'kenkyuin' ? '研究院' : '研究科'}`;
}

/** Booking purposes by family (academic users). */
export const FAMILY_PURPOSES: Readonly<Record<Family, readonly string[]>> = {
  chem: [
    '新規合成化合物の構造確認',
    '有機金属錯体のキャラクタリゼーション',
    '天然物の構造解析',
    '反応中間体の同定',
    '触媒反応生成物の定量',
    '高分子材料の組成分析',
    '論文リバイズのための追加測定',
  ],
  material: [
    '電池電極材料の評価',
    '薄膜試料の結晶性評価',
    '合金組織の観察',
    '触媒ナノ粒子の形態観察',
    'セラミックス焼結体の微構造評価',
    '多孔性材料の特性評価',
    '腐食生成物の分析',
  ],
  bio: [
    'タンパク質複合体の構造解析',
    '遺伝子発現解析',
    '細胞株の表現型解析',
    '腸内細菌叢の解析',
    '植物ストレス応答の解析',
    '組換えタンパク質の品質確認',
    '代謝物プロファイリング',
  ],
  med: [
    '腫瘍モデルマウスの評価',
    '臨床検体の解析（倫理審査承認済み）',
    '免疫細胞サブセットの解析',
    '薬物動態試験',
    '病理組織標本の作製',
    '疾患モデル動物の表現型解析',
  ],
  physics: ['強相関電子系の物性測定', '超伝導体の磁化測定', '磁性薄膜の評価', '熱電材料の輸送特性測定', '超高速分光測定'],
  fab: [
    'MEMSデバイスの試作',
    '微細パターンの作製',
    '半導体デバイスのプロセス開発',
    'フォトニック結晶の作製',
    'マイクロ流路チップの作製',
  ],
  earth: ['岩石試料の化学組成分析', '隕石試料の分析', '環境水中の微量元素分析', '堆積物コアの分析', '火山灰試料の分析'],
  eng: ['構造材料の強度評価', '燃焼現象の可視化', '複合材料の試験', '溶接継手の評価', '流体実験の計測'],
};

/** Purposes any academic user may give. */
export const COMMON_PURPOSES: readonly string[] = [
  '卒業研究のための測定',
  '修士論文研究のための測定',
  '博士論文研究のための測定',
  '共同研究試料の測定',
  '予備測定',
  '学生実習',
];

/** Purposes of `INDUSTRY` users. */
export const INDUSTRY_PURPOSES: readonly string[] = [
  '製品開発のための評価',
  '品質管理のための分析',
  '不具合品の原因解析',
  '共同研究に基づく測定',
  '新規材料の特性評価',
];

/** Extra Japanese sentences appended to descriptions, keyed by what they say. */
export const DESCRIPTION_NOTES = {
  qualification: ['初めて利用する方は事前に利用講習を受講してください。', '自己操作には装置講習の修了が必要です。'],
  delegated: ['技術職員による依頼測定（技術代行）にも対応します。'],
  remote: ['学術情報ネットワーク（SINET）経由の遠隔操作に対応しています。'],
  shared: ['学外の研究者・企業の方もご利用いただけます。'],
  approval: ['利用申請は管理者の承認後に確定します。'],
} as const;
