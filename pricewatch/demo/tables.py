"""The demo's catalogue tables: categories, brands and model patterns, supplier and buyer names, texts.

Plain data only. Model patterns use `#` for a random digit; names are built from the category's
name template. Prices are the typical market range of a product of the category, in yuan.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """A product line of a category: its kind, typical market price (yuan), brands and specifications."""

    kind: str
    price: tuple[int, int]
    brands: dict[str, tuple[str, ...]]  #: brand -> model patterns
    specs: tuple[str, ...]


@dataclass(frozen=True)
class CategorySpec:
    """How the demo makes products of one category."""

    code: str  #: the category as imported (`shredder`)
    label: str  #: its Chinese name
    share: float  #: share of the listings
    lines: tuple[Line, ...]
    drift: float  #: monthly change of the market price level (-0.006: falls 0.6 % a month)
    availability: tuple[float, float, float, float]  #: chance a source quotes a product in a month
    quantity: tuple[int, int]  #: order line quantity: typical, large
    can_drop: bool = True  #: whether a product's market price can drop sharply (model replaced)


_INTEL_PC = ("i5-13500/16G/512G SSD/23.8英寸", "i7-13700/16G/1T SSD/27英寸", "i3-13100/8G/256G SSD/21.5英寸")
_DOMESTIC_PC = ("飞腾D2000/16G/512G SSD/23.8英寸", "兆芯KX-6640MA/8G/256G SSD/21.5英寸",
                "海光3350/16G/512G SSD/23.8英寸", "龙芯3A6000/16G/512G SSD/23.8英寸")

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("shredder", "碎纸机", 0.06, (
        Line("办公碎纸机", (260, 1200), {"得力": ("9###", "33###"), "齐心": ("HC-###", "S###"), "三木": ("SD-####",),
                                      "科密": ("C-###",)},
             ("4级保密 单次8张 连续碎纸30分钟 18L", "5级保密 单次6张 连续碎纸20分钟 15L")),
        Line("大型商用碎纸机", (1100, 3600), {"科密": ("T-####", "V-###"), "得力": ("GA###",), "惠朗": ("HL-####",)},
             ("4级保密 单次16张 连续碎纸60分钟 32L", "3级保密 单次20张 连续碎纸90分钟 40L")),
    ), 0.0, (0.45, 0.85, 0.97, 0.75), (2, 6)),
    CategorySpec("printer", "打印机", 0.12, (
        Line("黑白激光打印机", (900, 3200), {"惠普": ("LaserJet Pro M###dw",), "佳能": ("LBP####",),
                                         "兄弟": ("HL-####DN",), "联想": ("LJ####D",), "奔图": ("P####DN",)},
             ("A4 自动双面 有线网络", "A4 自动双面 有线+无线网络")),
        Line("激光多功能一体机", (1500, 6800), {"惠普": ("LaserJet Pro MFP M###fdw",), "佳能": ("imageCLASS MF###dw",),
                                           "兄弟": ("MFC-####DW", "DCP-####DW"), "奔图": ("M####DW",),
                                           "联想": ("M####DNW",)},
             ("A4 打印复印扫描 自动双面", "A4 打印复印扫描传真 有线+无线网络")),
        Line("墨仓式喷墨打印机", (900, 2600), {"爱普生": ("L####",), "佳能": ("G####",), "惠普": ("Smart Tank ###",)},
             ("A4 彩色 打印复印扫描 无线", "A4 彩色 自动双面 有线网络")),
        Line("针式票据打印机", (1200, 3400), {"爱普生": ("LQ-###KII",), "得实": ("DS-####",), "映美": ("FP-###K",)},
             ("82列 平推式 发票打印", "106列 平推式 发票打印")),
    ), -0.003, (0.85, 0.85, 0.97, 0.7), (2, 8)),
    CategorySpec("copier", "复印机", 0.05, (
        Line("A3黑白数码复合机", (9000, 26000), {"佳能": ("iR ####",), "理光": ("IM ####",), "京瓷": ("TASKalfa ####i",),
                                             "夏普": ("BP-####",), "震旦": ("AD###",), "东芝": ("e-STUDIO####A",)},
             ("25页/分钟 标配双面器", "35页/分钟 含双面输稿器及工作台", "45页/分钟 四纸盒")),
        Line("A3彩色数码复合机", (16000, 46000), {"佳能": ("iR-ADV DX C####",), "理光": ("IM C####",),
                                              "柯尼卡美能达": ("bizhub C###i",), "震旦": ("ADC###",),
                                              "京瓷": ("TASKalfa ####ci",)},
             ("30页/分钟 含双面输稿器及工作台", "45页/分钟 四纸盒 标配传真")),
    ), -0.002, (0.8, 0.8, 0.85, 0.5), (1, 2)),
    CategorySpec("paper", "复印纸", 0.12, (
        Line("A4 复印纸", (110, 260), {"得力": ("莱茵河 ###", "佳宣 ###"), "晨光": ("蓝晨光 ###", "绿晨光 ###"),
                                     "齐心": ("珍宝 ###",), "亚太森博": ("百旺 ###", "旗舰百旺 ###"),
                                     "金光": ("金旗舰 ###",), "天章": ("乐活 ###",)},
             ("70g 500张/包 5包/箱", "80g 500张/包 5包/箱", "70g 500张/包 8包/箱")),
        Line("A3 复印纸", (210, 380), {"得力": ("莱茵河 ###",), "亚太森博": ("百旺 ###",), "晨光": ("蓝晨光 ###",)},
             ("70g 500张/包 4包/箱", "80g 500张/包 4包/箱")),
    ), 0.008, (0.6, 0.85, 0.97, 0.75), (10, 60), can_drop=False),
    CategorySpec("toner", "硒鼓/墨粉", 0.16, (
        Line("原装硒鼓", (380, 1800), {"惠普": ("CF###A", "W####A"), "佳能": ("CRG-###",), "兄弟": ("DR-####",),
                                     "联想": ("LD####",), "奔图": ("PD-###",)},
             ("黑色 约1600页", "黑色 约3000页", "黑色 大容量 约6000页")),
        Line("原装墨粉盒", (260, 900), {"兄弟": ("TN-####",), "联想": ("LT####",), "奔图": ("TO-###",),
                                      "佳能": ("NPG-##",)},
             ("黑色 约1200页", "黑色 约2600页", "黑色 大容量 约8300页")),
        Line("兼容硒鼓", (80, 380), {"格之格": ("NT-C####",), "天威": ("TH-####",), "得力": ("DLH-####",)},
             ("黑色 约1600页 适用惠普", "黑色 约2500页 适用兄弟", "黑色 约2000页 适用佳能")),
    ), 0.0, (0.5, 0.85, 0.97, 0.7), (4, 20)),
    CategorySpec("desktop", "台式计算机", 0.14, (
        Line("商用台式计算机", (3500, 8200), {"联想": ("启天 M###",), "惠普": ("战99 G#", "ProDesk 4## G#"),
                                          "戴尔": ("OptiPlex ####", "成就 ####")}, _INTEL_PC),
        Line("信创台式计算机", (4800, 9500), {"华为": ("擎云 W###",), "清华同方": ("超翔 TZ###",), "长城": ("世恒 TF###",),
                                          "浪潮": ("英政 CE###",), "联想": ("开天 M###Z",)}, _DOMESTIC_PC),
    ), -0.006, (0.85, 0.85, 0.97, 0.7), (4, 30)),
    CategorySpec("laptop", "便携式计算机", 0.12, (
        Line("商用笔记本电脑", (3800, 9800), {"联想": ("ThinkPad E##", "昭阳 K#-##", "ThinkPad T##"),
                                          "华为": ("MateBook ##",), "惠普": ("战66 #代", "EliteBook 8##"),
                                          "戴尔": ("Latitude ####", "Vostro ####"), "荣耀": ("MagicBook X##",),
                                          "华硕": ("破晓#",)},
             ("14英寸 i5-1340P/16G/512G", "14英寸 i7-1360P/16G/1T", "15.6英寸 i5-1335U/8G/512G")),
        Line("信创笔记本电脑", (6500, 11500), {"华为": ("擎云 L###",), "联想": ("开天 N###",), "清华同方": ("超锐 L###",)},
             ("14英寸 飞腾D2000/16G/512G", "14英寸 兆芯KX-6640MA/16G/512G")),
    ), -0.006, (0.85, 0.85, 0.97, 0.7), (3, 20)),
    CategorySpec("monitor", "显示器", 0.10, (
        Line("液晶显示器", (600, 3600), {"联想": ("ThinkVision T##i-##", "L##q-##"), "戴尔": ("P####H", "SE####H"),
                                      "飞利浦": ("###E#", "###B#"), "AOC": ("##B#H", "Q##P#"),
                                      "华为": ("MateView SE ##",), "惠普": ("P##h G#", "E## G#"), "三星": ("S##C###",)},
             ("23.8英寸 IPS 1080P", "27英寸 2K 75Hz", "21.5英寸 VA 1080P", "27英寸 IPS 升降旋转")),
    ), -0.006, (0.8, 0.85, 0.97, 0.7), (4, 30)),
    CategorySpec("projector", "投影仪", 0.05, (
        Line("商务投影仪", (2500, 9000), {"爱普生": ("CB-X##", "CB-W##"), "明基": ("E###", "MW###"),
                                      "索尼": ("VPL-EX###",), "松下": ("PT-X###",), "NEC": ("NP-CD####",)},
             ("3800流明 XGA", "4200流明 WXGA", "3600流明 无线投屏")),
        Line("激光投影仪", (8000, 16500), {"爱普生": ("CB-L###W",), "明基": ("LU###",), "索尼": ("VPL-PHZ##",),
                                       "鸿合": ("HT-L###",)}, ("5000流明 1080P", "6000流明 WUXGA")),
    ), -0.006, (0.75, 0.85, 0.95, 0.6), (1, 4)),
    CategorySpec("furniture", "办公椅/文件柜", 0.08, (
        Line("人体工学办公椅", (600, 3200), {"圣奥": ("SA-###",), "永艺": ("YY-###",), "西昊": ("M##", "C###"),
                                         "震旦": ("AUR-###",)}, ("网布 带头枕 3D扶手", "网布 腰托可调 升降扶手")),
        Line("职员办公椅", (300, 900), {"圣奥": ("SD-####",), "得力": ("#####",), "永艺": ("YY-###",), "冠美": ("GM-###",)},
             ("网布 固定扶手", "皮面 弓形架")),
        Line("钢制文件柜", (600, 2200), {"得力": ("#####",), "震旦": ("AF-###",), "冠美": ("GM-###",),
                                      "圣奥": ("SG-###",)},
             ("四门 0.8mm冷轧钢板 带锁", "对开门 1.0mm冷轧钢板 上玻下铁", "五节柜 0.8mm冷轧钢板")),
    ), 0.002, (0.05, 0.75, 0.65, 0.5), (5, 40), can_drop=False),
)

#: Cities of the province (Zhejiang) and their 6-digit administrative codes.
CITIES: tuple[tuple[str, str], ...] = (
    ("杭州", "330100"), ("宁波", "330200"), ("温州", "330300"), ("嘉兴", "330400"), ("湖州", "330500"),
    ("绍兴", "330600"), ("金华", "330700"), ("衢州", "330800"), ("舟山", "330900"), ("台州", "331000"),
    ("丽水", "331100"),
)
#: Trade names of supplier companies (two characters, as Chinese companies are named).
TRADE_NAMES: tuple[str, ...] = (
    "明达", "华信", "金诚", "恒远", "博远", "汇通", "新宇", "鼎盛", "瑞丰", "嘉禾", "永信", "天禾", "正泰",
    "诚达", "宏图", "联创", "中科", "佳和", "同创", "海纳", "创新", "东方", "之江", "钱塘", "西湖", "越秀",
    "立信", "凯达", "晟华", "启航", "聚源", "卓越", "万和", "兴业", "长风", "利民", "宏达", "合众", "众诚",
    "锦程", "华辰", "云帆", "润泽", "安信", "百川", "泰和", "远航", "星火", "金桥", "国信",
)
#: Lines of business, and the categories each company of that line sells.
BUSINESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("办公设备", ("shredder", "printer", "copier", "toner", "projector", "paper")),
    ("办公用品", ("paper", "toner", "shredder", "furniture")),
    ("文化用品", ("paper", "toner", "furniture")),
    ("计算机系统", ("desktop", "laptop", "monitor", "printer")),
    ("信息技术", ("desktop", "laptop", "monitor", "projector")),
    ("电子科技", ("desktop", "laptop", "monitor", "printer", "toner")),
    ("数码科技", ("laptop", "monitor", "projector", "printer")),
    ("商贸", ("paper", "toner", "printer", "monitor", "furniture", "shredder")),
    ("办公家具", ("furniture",)),
    ("智能科技", ("projector", "monitor", "copier", "printer")),
)

#: Where quotes come from, per source.
ORIGINS: dict[str, tuple[str, ...]] = {
    "index": ("中关村在线价格指数", "浙江省电子产品价格指数", "中国办公设备价格指数"),
    "gov": ("浙江政府采购网上超市", "江苏政府采购网上商城", "上海市政府采购云平台", "中央政府采购网上商城",
            "安徽省政府采购电子卖场", "福建省网上超市"),
    "ecommerce": ("京东", "天猫", "苏宁易购", "京东企业购", "拼多多"),
    "retail": ("杭州文三路电子市场", "宁波天一电脑城", "温州黎明西路数码广场", "金华百脑汇",
               "绍兴越城区办公用品批发市场", "嘉兴办公设备城", "台州数码港"),
}
#: Links shown with e-commerce quotes (the number is made up per quote).
URLS: dict[str, str] = {
    "京东": "https://item.jd.com/{n}.html", "京东企业购": "https://b.jd.com/item/{n}.html",
    "天猫": "https://detail.tmall.com/item.htm?id={n}", "苏宁易购": "https://product.suning.com/{n}.html",
    "拼多多": "https://mobile.yangkeduo.com/goods.html?goods_id={n}",
}

#: The supplier's statement when it submits evidence, and the price it claims.
EVIDENCE_STATEMENTS: tuple[str, ...] = (
    "该商品为政府采购专供配置，含三年上门保修及安装调试服务，与电商平台标准版配置不同，附厂家授权书及配置清单。",
    "本月原材料及物流成本上涨，附厂家出具的最新指导价文件和进货发票。",
    "电商平台低价为限时促销及平行进口货源，不含正规发票与原厂保修，附原厂渠道报价单。",
    "该型号已停产，现为库存货源，附厂家停产说明及近三个月进货凭证。",
    "报价含送货上楼、旧机回收及现场培训服务，附服务明细及成本测算。",
)
#: A monitor's note when accepting evidence.
ACCEPT_NOTES: tuple[str, ...] = (
    "已核实厂家授权书与配置清单，专供配置价格合理，予以认可。",
    "已核对进货发票和厂家指导价，价格依据充分。",
    "服务内容与成本测算属实，价格可保持至下次核查。",
)
#: A monitor's reason when rejecting evidence.
REJECT_REASONS: tuple[str, ...] = (
    "所附材料为本公司自行出具的报价单，不能证明市场价格；电商平台同型号同配置售价明显更低。",
    "进货发票日期早于本核查期，不能说明本期价格上涨。",
    "所称增值服务在商城其他供应商同款商品中同样包含，不构成价格差异理由。",
)
#: A supplier's note when asking to relist a delisted listing.
RELIST_NOTES: tuple[str, ...] = (
    "已将价格调整至正常区间，申请重新上架。",
    "已按监测价下调价格，请审核恢复销售。",
)
