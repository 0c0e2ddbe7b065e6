/** Lines copied verbatim from `../shared/data/jp-equipment.jsonl` (line numbers in the comments), control characters escaped. */
/** line 2 */
export const NMR_SCORPIO =
  '{"equipment_id": "HOKUDAI-AP-100223", "name": "500MHz NMR測定装置(scorpio)(液体試料専用)", "category_general": "その他", "category_detail": "磁気共鳴装置 (Magnetic Resonance Equipment) / 核磁気共鳴装置(NMR) (Nuclear Magnetic Resonance (NMR) Spectrometer)", "org_name": "北海道大学", "org_type": "国立大学", "prefecture": "北海道", "region": "北海道", "address_raw": "次世代物質生命科学研究センターNMR棟 3", "external_use": "可", "fee_band": "不明", "source_url": "https://www.gfc.hokudai.ac.jp/apparatus_list/detail?item_id=1296", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T02:27:27.931205+00:00"}';
/** line 1 */
export const HOKUDAI_HU_NONE =
  '{"equipment_id": "HOKUDAI-AP-902035", "name": "3軸電磁流速センサー 実験室用", "category_general": "その他", "category_detail": "専用測定装置_HU (Specialized Measurement Equipment) / None", "org_name": "北海道大学", "org_type": "国立大学", "prefecture": "北海道", "region": "北海道", "address_raw": "函館キャンパス管理研究棟 210", "external_use": "不可", "fee_band": "不明", "source_url": "https://www.gfc.hokudai.ac.jp/apparatus_list/detail?item_id=2393", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T02:27:27.936197+00:00"}';
/** line 20 */
export const TOHOKU_BRACKETED =
  '{"equipment_id": "TOHOKU-535", "name": "[535]タンデム四重極型質量分析装置", "category_general": "その他", "category_detail": "分析 / 質量分析", "org_name": "東北大学", "org_type": "国立大学", "prefecture": "宮城県", "region": "東北", "address_raw": "星陵キャンパス 東北メディカル・メガバンク機構", "external_use": "可", "fee_band": "有料", "source_url": "https://portal.cfc.tohoku.ac.jp/devices/01analysis/003ms/post-3810/", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T09:01:09.014378+00:00"}';
/** line 68 */
export const KYUSHU_UNCLASSIFIED =
  '{"equipment_id": "KYUSHU-ft-ir-4700", "name": "フーリエ変換赤外分光光度計(FT/IR-4700)", "category_general": "その他", "category_detail": "未分類", "org_name": "九州大学 中央分析センター(伊都地区)", "org_type": "国立大学", "prefecture": "福岡県", "region": "九州", "address_raw": "W3・205室", "external_use": "要相談", "fee_band": "不明", "source_url": "https://bunseki.kyushu-u.ac.jp/bunseki/ft-ir-4700.html", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T02:27:27.937705+00:00"}';
/** line 88 */
export const MIYAZAKI_HALF_WIDTH =
  '{"equipment_id": "MIYAZAKI-18", "name": "偏光ｾﾞｰﾏﾝ原子吸光光度計", "category_general": "分析機器", "category_detail": "元素分析", "org_name": "宮崎大学 工学部 土木環境工学プログラム", "org_type": "国立大学", "prefecture": "宮崎県", "region": "九州", "address_raw": "宮崎大学 工学部 土木環境工学プログラム", "external_use": "要相談", "fee_band": "不明", "source_url": "https://fsc-out-ap.vss.miyazaki-u.ac.jp/equipmentdb/equipment/detail/1/18", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-02-14T07:51:23.391329+00:00"}';
/** line 127 */
export const CHIBA_FULL_WIDTH_CATEGORY =
  '{"equipment_id": "nfZgZt58hMhCPV8mrDAx", "name": "核磁気共鳴装置（NMR）", "category_general": "核磁気共鳴装置（NMR）", "category_detail": "核磁気共鳴装置(NMR)", "org_name": "千葉大学 共用機器センター", "org_type": "国立大学", "prefecture": "千葉県", "region": "関東", "address_raw": "千葉大学 センター外 CIRIC 1階", "external_use": "可", "fee_band": "不明", "source_url": "https://www.cac.chiba-u.ac.jp/equipment/data/NMR.pdf", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-02-14T11:14:47.861709+00:00"}';
/** line 149 */
export const GUNMA_NULL_CATEGORIES =
  '{"equipment_id": "1fneaAPv2YizIuBPccJP", "name": "蛍光分光光度計 (FL, F-4500)", "category_general": null, "category_detail": null, "org_name": "群馬大学 コアファシリティ総合センター エンジニアリング分野", "org_type": "国立大学", "prefecture": "群馬県", "region": "関東", "address_raw": "群馬大学 コアファシリティ総合センター エンジニアリング分野", "external_use": "可", "fee_band": "不明", "source_url": "http://www.trcia.gunma-u.ac.jp/uv-f-4500", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-02-14T07:51:13.104598+00:00"}';
/** line 531 */
export const KUMAMOTO_NO_SPACE =
  '{"equipment_id": "KUMAMOTO-list4f-05", "name": "3Dプリンタ 株式会社キーエンス アジリスタ3110", "category_general": "Ｘ線回析室", "category_detail": null, "org_name": "熊本大学工学部附属工学研究機器センター", "org_type": "国立大学", "prefecture": "熊本県", "region": "九州", "address_raw": "熊本大学工学部附属工学研究機器センター X線回析室1", "external_use": "要相談", "fee_band": "不明", "source_url": "https://www.erec.kumamoto-u.ac.jp/list/list4f.html#05", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-02-14T07:51:03.905389+00:00"}';
/** line 918 */
export const HOKUDAI_ELECTRON =
  '{"equipment_id": "HOKUDAI-AP-901890", "name": "X線分析システム", "category_general": "その他", "category_detail": "顕微鏡(電子)_HU (Electron Microscopes) / None", "org_name": "北海道大学", "org_type": "国立大学", "prefecture": "北海道", "region": "北海道", "address_raw": "工学研究院 -", "external_use": "可", "fee_band": "不明", "source_url": "https://www.gfc.hokudai.ac.jp/apparatus_list/detail?item_id=2236", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T02:27:27.935512+00:00"}';
/** line 1920 */
export const AIST_NUMERIC_DETAIL =
  '{"equipment_id": "AIST-COL016", "name": "急速加熱装置(RTA)", "category_general": "その他", "category_detail": "5,600", "org_name": "産業技術総合研究所", "org_type": "公的研究機関", "prefecture": null, "region": null, "address_raw": "4Fクリーンルーム", "external_use": "要相談", "fee_band": "不明", "source_url": "https://www.aist.go.jp/pdf/aist_j/business/orp/list/List_COLOMODE.pdf", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T03:07:27.595439+00:00"}';
/** line 2448 */
export const NIMS_FULL_WIDTH_ADDRESS =
  '{"equipment_id": "NIMS-3-NF0001", "name": "500MHz固体高分解能NMRシステム", "category_general": "その他", "category_detail": "分析・計測 / 強磁場計測", "org_name": "物質・材料研究機構 NIMS Open Facility", "org_type": "公的研究機関", "prefecture": "茨城県", "region": "関東", "address_raw": "茨城県つくば市 桜地区 第２ＮＭＲ実験棟 108号室", "external_use": "可", "fee_band": "不明", "source_url": "https://www.nims-open-facility.jp/facility.php?mode=detail&code=3", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T08:34:58.461828+00:00"}';
/** line 10080 */
export const TOYOHASHI_LONG_ADDRESS =
  '{"equipment_id": "TOYOHASHI-MILLING-MACHINE", "name": "ＮＣフライス盤", "category_general": "その他", "category_detail": "工作支援部門", "org_name": "豊橋技術科学大学 教育研究基盤センター", "org_type": "国立大学", "prefecture": "愛知県", "region": "中部", "address_raw": "フライス盤中、主軸が垂直であるものを立フライスと呼ぶ。 加工物を板および角物形状に仕上げる工作機械で、正面フライスによる平面削り、エンドミルによる溝・側面削り、ドリル・タップによる穴加工などができる。 エンシュウ SEV 加工ストローク : 750×320 mm 主軸回転数 : 44～2,000 主軸テーパ : BT40 主電動機容量 : 5.5kW 簡易型ＮＣ装置 : 円弧・勾配ほか エンシュウ SEV 加工ストローク : 750×320 mm 主軸回転数 : 44～2,000 主軸テーパ : BT40 主電動機容量 : 5.5kW 簡易型ＮＣ装置 : 円弧・勾配ほか 加工ストローク : 750×320 mm 主軸回転数 : 44～2,000 主軸テーパ : BT40 主電動機容量 : 5.5kW 簡易型ＮＣ装置 : 円弧・勾配ほか / エンシュウ SEV 加工ストローク : 750×320 mm 主軸回転数 : 44～2,000 主軸テーパ : BT40 主電動機容量 : 5.5kW 簡易型ＮＣ装置 : 円弧・勾配ほか 加工ストローク : 750×320 mm 主軸回転数 : 44～2,000 主軸テーパ : BT40 主電動機容量 : 5.5kW 簡易型ＮＣ装置 : 円弧・勾配ほか / 加工ストローク : 750×320 mm / 主軸回転数 : 44～2,000 / 主軸テーパ : BT40 / 主電動機容量 : 5.5kW / 簡易型ＮＣ装置 : 円弧・勾配ほか", "external_use": "不明", "fee_band": "不明", "source_url": "https://crfc.tut.ac.jp/engineering/instrument/milling_machine.html", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-25T01:53:44.501468+00:00"}';
/** line 211 */
export const TODAI_MOJIBAKE =
  '{"equipment_id": "t6yQtLagffskLeHuVCy3", "name": "ã\u0082­ã\u0083¼ã\u0083¯ã\u0083¼ã\u0083\u0089", "category_general": "その他", "category_detail": "未分類", "org_name": "東京大学", "org_type": "国立大学", "prefecture": null, "region": null, "address_raw": null, "external_use": "不明", "fee_band": "不明", "source_url": "https://www.ics-com.biz/todai_kyouyou/portals/machine/page:16/sort:id/direction:desc", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-01-18T06:36:38.728954+00:00"}';
/** line 97 */
export const MIE_FIRST =
  '{"equipment_id": "MIE-equipment28", "name": "凍結乾燥機", "category_general": "その他", "category_detail": null, "org_name": "三重大学 研究基盤推進機構 先端科学研究支援センター オープンイノベーション施設", "org_type": "国立大学", "prefecture": "三重県", "region": "中部", "address_raw": "オープンイノベーション施設 204実験室", "external_use": "要相談", "fee_band": "不明", "source_url": "https://www.oif.mie-u.ac.jp/equipment-list/equipment28/", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-02-14T07:51:11.073039+00:00"}';
/** line 98 */
export const MIE_REPEAT =
  '{"equipment_id": "MIE-equipment28", "name": "凍結乾燥機", "category_general": "その他", "category_detail": "その他", "org_name": "三重大学 研究基盤推進機構 先端科学研究支援センター オープンイノベーション施設", "org_type": "国立大学", "prefecture": "三重県", "region": "中部", "address_raw": "オープンイノベーション施設 204実験室", "external_use": "要相談", "fee_band": "不明", "source_url": "https://www.oif.mie-u.ac.jp/equipment-list/equipment28/", "eqnet_url": null, "eqnet_equipment_id": null, "crawled_at": "2026-02-14T11:14:47.735654+00:00"}';
