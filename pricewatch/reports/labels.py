"""Every label of the report files, in both languages, in one dict (the CLI takes --locale)."""
from __future__ import annotations

LOCALES: tuple[str, ...] = ("zh_CN", "en")

#: label key -> {locale: text}
LABELS: dict[str, dict[str, str]] = {
    # titles
    "title": {"zh_CN": "月度价格监测报告", "en": "Monthly price monitoring report"},
    "subtitle": {"zh_CN": "政府采购网上商城", "en": "Government procurement online mall"},
    "summary": {"zh_CN": "概览", "en": "Summary"},
    "bands": {"zh_CN": "价格区间分布", "en": "Bands"},
    "cases": {"zh_CN": "案件处理", "en": "Cases"},
    "orders": {"zh_CN": "订单承诺折扣核查", "en": "Orders and the committed discount"},
    "non_compliant_lines": {"zh_CN": "不符合承诺折扣的订单行", "en": "Non-compliant lines"},
    "categories": {"zh_CN": "分品类统计", "en": "Categories"},
    "suppliers": {"zh_CN": "分供应商统计", "en": "Suppliers"},
    "trend": {"zh_CN": "价格偏高占比趋势", "en": "High-price share over time"},
    "charts": {"zh_CN": "图表", "en": "Charts"},
    "chart_trend": {"zh_CN": "价格偏高占比（按期间）", "en": "High-price share by period"},
    "chart_bands": {"zh_CN": "各品类价格区间分布", "en": "Bands by category"},
    "chart_savings": {"zh_CN": "降价节约金额（元，按期间）", "en": "Money saved by lowered prices (yuan, by period)"},
    "shown_first": {"zh_CN": "仅显示前 {shown} 行，共 {total} 行；完整清单见 XLSX/CSV 报告。",
                    "en": "Showing the first {shown} of {total} rows; the XLSX/CSV report has them all."},
    "none": {"zh_CN": "无", "en": "None"},
    # headline figures
    "item": {"zh_CN": "项目", "en": "Item"},
    "value": {"zh_CN": "数值", "en": "Value"},
    "count": {"zh_CN": "数量", "en": "Count"},
    "share": {"zh_CN": "占比", "en": "Share"},
    "band": {"zh_CN": "区间", "en": "Band"},
    "period": {"zh_CN": "监测期间", "en": "Period"},
    "checked_periods": {"zh_CN": "已监测期间", "en": "Periods checked"},
    "generated_at": {"zh_CN": "生成时间（UTC）", "en": "Generated at (UTC)"},
    "listings_checked": {"zh_CN": "监测商品数", "en": "Listings checked"},
    "with_monitored_price": {"zh_CN": "有监测价的商品数", "en": "Listings with a monitored price"},
    "insufficient_share": {"zh_CN": "数据不足占比", "en": "Share with insufficient data"},
    "high_price_share": {"zh_CN": "价格偏高占比", "en": "High-price share"},
    # bands
    "band_insufficient": {"zh_CN": "数据不足", "en": "Insufficient data"},
    "band_normal": {"zh_CN": "正常", "en": "Normal"},
    "band_evidence": {"zh_CN": "偏高（需提供价格说明）", "en": "Evidence requested"},
    "band_delist": {"zh_CN": "严重偏高（下架）", "en": "Delisted"},
    # cases
    "case_opened": {"zh_CN": "新立案件", "en": "Cases opened"},
    "case_opened_by_check": {"zh_CN": "其中：月度监测立案", "en": "of which by the monthly check"},
    "case_opened_by_price_change": {"zh_CN": "其中：调价立案", "en": "of which by a price change"},
    "case_evidence_submitted": {"zh_CN": "提交价格证明", "en": "Evidence submitted"},
    "case_accepted": {"zh_CN": "证明被采纳", "en": "Evidence accepted"},
    "case_rejected": {"zh_CN": "证明被驳回", "en": "Evidence rejected"},
    "case_price_lowered": {"zh_CN": "已降价", "en": "Prices lowered"},
    "case_delisted": {"zh_CN": "下架", "en": "Delisted"},
    "case_relisted": {"zh_CN": "重新上架", "en": "Relisted"},
    # orders
    "orders_total": {"zh_CN": "订单数", "en": "Orders"},
    "orders_compliant": {"zh_CN": "符合承诺折扣的订单", "en": "Compliant orders"},
    "orders_non_compliant": {"zh_CN": "不符合承诺折扣的订单", "en": "Non-compliant orders"},
    "orders_unchecked": {"zh_CN": "无法核查的订单", "en": "Unchecked orders"},
    "lines": {"zh_CN": "订单行数", "en": "Order lines"},
    "compliant": {"zh_CN": "符合", "en": "Compliant"},
    "non_compliant": {"zh_CN": "不符合", "en": "Non-compliant"},
    "unchecked": {"zh_CN": "无法核查", "en": "Unchecked"},
    "lines_compliant": {"zh_CN": "符合承诺折扣的订单行", "en": "Compliant lines"},
    "lines_non_compliant": {"zh_CN": "不符合承诺折扣的订单行", "en": "Non-compliant lines"},
    "lines_unchecked": {"zh_CN": "无法核查的订单行", "en": "Unchecked lines"},
    "order_value": {"zh_CN": "订单金额（元）", "en": "Order value (yuan)"},
    "reference_source": {"zh_CN": "参照价来源", "en": "Reference source"},
    "index_markup": {"zh_CN": "成交价相对价格指数的加权溢价率",
                     "en": "Order-value-weighted markup over the index price"},
    "savings": {"zh_CN": "降价节约金额（元）", "en": "Money saved by lowered prices (yuan)"},
    "savings_lines": {"zh_CN": "降价后的订单行", "en": "Order lines after a lowering"},
    "savings_listings": {"zh_CN": "降价商品数", "en": "Lowered listings ordered"},
    # sources
    "source_index": {"zh_CN": "价格指数", "en": "Index"},
    "source_gov": {"zh_CN": "其他政府采购市场", "en": "Government markets"},
    "source_ecommerce": {"zh_CN": "电商平台", "en": "E-commerce"},
    "source_retail": {"zh_CN": "实体店", "en": "Retail shops"},
    "source_monitored": {"zh_CN": "监测价", "en": "Monitored price"},
    # columns
    "order_id": {"zh_CN": "订单号", "en": "Order ID"},
    "line_no": {"zh_CN": "行号", "en": "Line"},
    "ordered_on": {"zh_CN": "下单日期", "en": "Ordered on"},
    "listing_id": {"zh_CN": "商品编号", "en": "Listing ID"},
    "category": {"zh_CN": "品类", "en": "Category"},
    "supplier_id": {"zh_CN": "供应商编号", "en": "Supplier ID"},
    "supplier_name": {"zh_CN": "供应商名称", "en": "Supplier name"},
    "quantity": {"zh_CN": "数量", "en": "Quantity"},
    "unit_price": {"zh_CN": "成交单价", "en": "Unit price"},
    "reference": {"zh_CN": "参照价", "en": "Reference"},
    "committed_discount": {"zh_CN": "承诺折扣率", "en": "Committed discount"},
    "limit": {"zh_CN": "限价", "en": "Limit"},
    "excess": {"zh_CN": "超出金额", "en": "Excess"},
    "evidence": {"zh_CN": "偏高", "en": "Evidence"},
    "delist": {"zh_CN": "严重偏高", "en": "Delist"},
    "markup": {"zh_CN": "指数溢价率", "en": "Index markup"},
    "normal": {"zh_CN": "正常", "en": "Normal"},
    "insufficient": {"zh_CN": "数据不足", "en": "Insufficient"},
    "cases_opened": {"zh_CN": "新立案件", "en": "Cases opened"},
    "cases_delisted": {"zh_CN": "下架", "en": "Delisted"},
    "cases_price_lowered": {"zh_CN": "已降价", "en": "Prices lowered"},
}


def labels_for(locale: str) -> dict[str, str]:
    """Every label in `locale` (zh_CN or en; anything else falls back to zh_CN)."""
    lang = locale if locale in LOCALES else ("en" if str(locale).lower().startswith("en") else "zh_CN")
    return {key: texts[lang] for key, texts in LABELS.items()}
