"""The word tables of name normalisation (screener.parties.normalize): native-script legal
forms and organisation words, abbreviations, phrases, legal-form codes, and the stop,
generic and location words that give a token its class. Keys are folded ASCII tokens.

Data only, kept apart from the pipeline so that the pipeline reads as steps; changing a
table changes matching, so bump screener.parties.match_index.INDEX_FORMAT with it.
"""

from __future__ import annotations


def wordset(text: str) -> frozenset[str]:
    """A table written as whitespace-separated words."""
    return frozenset(text.split())


#: Chinese/Japanese/Korean legal forms and organisation words in native script, longest
#: first; replaced before transliteration (see module docstring, step 2).
CJK_FORMS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", " co ltd "),
    ("有限责任公司", " llc "),
    ("有限責任公司", " llc "),
    ("有限公司", " co ltd "),
    ("株式会社", " kk "),
    ("有限会社", " llc "),
    ("주식회사", " co ltd "),
    ("유한회사", " llc "),
    ("集团", " group "),
    ("集團", " group "),
    ("分公司", " branch "),
    ("公司", " co "),
    # common company words, so "华为技术" and "Huawei Technology" meet (pinyin: ABBREVIATIONS)
    ("进出口", " import export "),
    ("進出口", " import export "),
    ("半导体", " semiconductor "),
    ("微电子", " microelectronics "),
    ("研究所", " research institute "),
    ("研究院", " research institute "),
    ("科技", " technology "),
    ("技术", " technology "),
    ("技術", " technology "),
    ("电子", " electronic "),
    ("電子", " electronic "),
    ("贸易", " trading "),
    ("貿易", " trading "),
    ("工业", " industry "),
    ("国际", " international "),
    ("控股", " holding "),
    ("投资", " investment "),
    ("大学", " university "),
    ("中国", " china "),
    # more organisation vocabulary (simplified: traditional text is converted first, OpenCC)
    ("集成电路", " integrated circuit "),
    ("航空航天", " aeronautics astronautics "),
    ("研究中心", " research center "),
    ("实验室", " laboratory "),
    ("科学院", " academy sciences "),
    ("工程物理", " engineering physics "),
    ("制造", " manufacturing "),
    ("通信", " communication "),
    ("信息", " information "),
    ("网络", " network "),
    ("设备", " equipment "),
    ("材料", " material "),
    ("光电", " optoelectronic "),
    ("仪器", " instrument "),
    ("软件", " software "),
    ("智能", " intelligent "),
    ("实业", " industry "),
    ("发展", " development "),
    ("工程", " engineering "),
    ("航空", " aviation "),
    ("航天", " aerospace "),
    ("物流", " logistics "),
    ("能源", " energy "),
    ("机械", " machinery "),
    ("股份", " "),
)

#: Han characters with several readings whose reading in company and place names differs
#: from anyascii's default (成都 is Chengdu, not "Chengdou"); word overrides first.
HAN_WORDS: tuple[tuple[str, str], ...] = (
    ("重庆", " chong qing "),
    ("重慶", " chong qing "),
    ("银行", " yin hang "),
    ("銀行", " yin hang "),
)
HAN_CHARS: dict[str, str] = {"都": "du", "长": "chang", "長": "chang", "厦": "xia", "廈": "xia"}

#: Single-token abbreviations and variant spellings -> canonical word (step 5). Generic
#: plurals are folded here too, so "technologies" and "tech" compare equal.
ABBREVIATIONS: dict[str, str] = {
    # company-ish
    "comp": "co",
    "cmpy": "co",
    "coy": "co",
    "company": "co",
    "compagnie": "co",
    "compania": "co",
    "companhia": "co",
    "cia": "co",
    "corporation": "corp",
    "corpn": "corp",
    "grp": "group",
    "groups": "group",
    "holdings": "holding",
    "hldgs": "holding",
    "hldg": "holding",
    # services
    "srvces": "service",
    "srvcs": "service",
    "svcs": "service",
    "svc": "service",
    "servs": "service",
    "serv": "service",
    "srvc": "service",
    "services": "service",
    # technology
    "tech": "technology",
    "techn": "technology",
    "techs": "technology",
    "technologies": "technology",
    "technological": "technology",
    "tecnologia": "technology",
    "technologie": "technology",
    "technologii": "technology",
    "tekhnologii": "technology",
    "tekhnologiya": "technology",
    "tekhnologiy": "technology",
    "hitech": "hitech",
    # trade
    "intl": "international",
    "int'l": "international",
    "internat": "international",
    "imp": "import",
    "imports": "import",
    "exp": "export",
    "exports": "export",
    "expt": "export",
    "trade": "trading",
    "traders": "trading",
    # industry
    "ind": "industry",
    "inds": "industry",
    "indus": "industry",
    "industries": "industry",
    "industrial": "industry",
    "mfg": "manufacturing",
    "mfr": "manufacturing",
    "manufacture": "manufacturing",
    "eng": "engineering",
    "engg": "engineering",
    "engr": "engineering",
    "equip": "equipment",
    "equipments": "equipment",
    "elec": "electronic",
    "electronics": "electronic",
    "electrical": "electric",
    "comm": "communication",
    "comms": "communication",
    "communications": "communication",
    "telecommunications": "telecommunication",
    "sys": "system",
    "systems": "system",
    "solutions": "solution",
    "materials": "material",
    "instruments": "instrument",
    "chemicals": "chemical",
    "products": "product",
    "machines": "machinery",
    "machine": "machinery",
    "investments": "investment",
    "resources": "resource",
    "networks": "network",
    "logistic": "logistics",
    "sciences": "science",
    "scientific": "science",
    "sci": "science",
    "inst": "institute",
    "institution": "institute",
    "institut": "institute",
    "instituto": "institute",
    "univ": "university",
    "natl": "national",
    "assn": "association",
    "assoc": "association",
    "mgmt": "management",
    "mgt": "management",
    "dev": "development",
    "devt": "development",
    "ctr": "center",
    "centre": "center",
    "tsentr": "center",
    "labs": "laboratory",
    "lab": "laboratory",
    "bros": "brothers",
    "intel": "intelligence",
    # pinyin company words (the same words are translated from Han script, CJK_FORMS)
    "keji": "technology",
    "jishu": "technology",
    "dianzi": "electronic",
    "maoyi": "trading",
    "gongye": "industry",
    "guoji": "international",
    "konggu": "holding",
    "touzi": "investment",
    "daxue": "university",
    "jituan": "group",
    "zhongguo": "china",
    "jinchukou": "import export",
    "bandaoti": "semiconductor",
    "weidianzi": "microelectronics",
    "yanjiusuo": "research institute",
    "yanjiuyuan": "research institute",
    "fengongsi": "branch",
    # pinyin of the further organisation words translated from Han script (CJK_FORMS)
    "jichengdianlu": "integrated circuit",
    "hangkonghangtian": "aeronautics astronautics",
    "yanjiuzhongxin": "research center",
    "shiyanshi": "laboratory",
    "kexueyuan": "academy sciences",
    "gongchengwuli": "engineering physics",
    "zhizao": "manufacturing",
    "tongxin": "communication",
    "xinxi": "information",
    "wangluo": "network",
    "shebei": "equipment",
    "cailiao": "material",
    "guangdian": "optoelectronic",
    "yiqi": "instrument",
    "ruanjian": "software",
    "zhineng": "intelligent",
    "shiye": "industry",
    "fazhan": "development",
    "gongcheng": "engineering",
    "hangkong": "aviation",
    "hangtian": "aerospace",
    "wuliu": "logistics",
    "nengyuan": "energy",
    "jixie": "machinery",
    "hq": "headquarters",
    "subsidiaries": "subsidiary",
    "offices": "office",
    "branches": "branch",
}

#: Multi-token legal-form spellings that rigour does not unify with "co ltd"; rewritten
#: first so "Company Limited", "Co. Limited" and "Co., Ltd." give the same token.
PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("co", "limited"): ("co", "ltd"),
    ("co", "ltd"): ("co", "ltd"),
    ("co", "ltda"): ("co", "ltd"),
    ("youxian", "gongsi"): ("co", "ltd"),
    ("you", "xian", "gong", "si"): ("co", "ltd"),
    ("gufen", "youxian", "gongsi"): ("co", "ltd"),
    ("youxian", "zeren", "gongsi"): ("llc",),
    ("you", "xian", "ze", "ren", "gong", "si"): ("llc",),
    ("yanjiu", "yuan"): ("research", "institute"),
    ("yanjiu", "suo"): ("research", "institute"),
    ("jinchu", "kou"): ("import", "export"),
    ("import", "and", "export"): ("import", "export"),
    ("hong", "kong"): ("hongkong",),
}

#: Legal-form tokens of our own (rigour's generic mode does not cover these).
OWN_LEGAL: dict[str, str] = {
    "co": "co",
    "corp": "corp",
    "gongsi": "co",
    "kk": "kk",
    "sherkat": "co",
    "sherkate": "co",
    "sirketi": "llc",
    "kompaniya": "co",
    "kompaniyasi": "co",
    "firma": "co",
    "est": "est",
    "establishment": "est",
}

#: The canonical legal-form codes (rigour generic targets plus ours).
LEGAL_CODES: frozenset[str] = frozenset(
    {
        "llc",
        "jsc",
        "llp",
        "lp",
        "gp",
        "sp",
        "soe",
        "ngo",
        "coop",
        "fin",
        "mil",
        "co",
        "corp",
        "kk",
        "est",
    }
)

#: rigour single-token matches accepted anywhere in the name.
RIGOUR_SINGLE_OK: frozenset[str] = wordset(
    """llc ltd limited inc incorporated gmbh jsc ojsc cjsc pjsc pjscb ooo oao zao pao nao plc
    llp fze fzco fzc fzllc dmcc sarl srl spa bv bvba ltda limitada sirketi tov ood doo sro
    sas sprl mmc eireli pte pty pvt bhd npo ngo fgup fgbu gup mup chvk pmc sal wll kft zrt
    sia uab ooo tsk npp gnpp oy aat"""
)
#: rigour single-token matches that are also ordinary words or syllables: accepted only
#: at the start or end of the name or next to another legal form ("AO NII STT", "X SA").
RIGOUR_EDGE_ONLY: frozenset[str] = frozenset({"ao", "sa", "ag", "as", "ab", "kg", "nv", "se"})

STOP_WORDS: frozenset[str] = wordset(
    """of the and de del della di des du la el al los las for und y e et van von der den ibn
    bint ul ud uz mr mrs ms dr prof ve s"""
)

GENERIC_WORDS: frozenset[str] = wordset(
    """technology hitech trading industry international group holding import export electronic
    electric engineering equipment science research institute development investment service
    logistics system solution global general enterprise manufacturing machinery material
    chemical energy power network communication telecommunication information software
    precision instrument supply shipping transport transportation petroleum aviation aerospace
    automation optical optics optoelectronic semiconductor microelectronics telecom commercial
    commerce consulting consultancy consultants management resource product marketing
    business partners associates ventures capital finance financial bank university academy
    laboratory center factory plant works office branch department bureau agency ministry
    national state federal association foundation organization organisation society union
    council committee new smart digital intelligent intelligence control design medical
    pharmaceutical health high advanced innovation applied integrated marine maritime ocean
    shipbuilding ship airlines air oil gas steel metal metals mining construction
    agricultural food textile automotive auto vehicle motor motors defense defence military
    security nuclear space satellite radio computer computing data cloud micro nano photonics
    laser vision robotics battery solar environmental brothers limited production scientific
    technical special complex repair building mechanical exchange concern unitary open closed
    public private joint stock company corporation industries sanayi ticaret dis tejarat
    sanat sanaye nauchno issledovatelskii issledovatelskiy issledovatelsky proizvodstvennoe
    zavod byuro konstruktorskoe predpriyatie obedinenie imeni named after grupo empresa
    comercial industrias servicios trust fund charity relief martyrs foundation head office
    headquarters subsidiary division representative affiliate affiliated refinery mill
    shipyard zavody kombinat
    """
)

LOCATION_WORDS: frozenset[str] = wordset(
    """china chinese hongkong hk macau macao taiwan beijing peking shanghai shenzhen
    guangzhou tianjin chongqing wuhan chengdu hangzhou nanjing xian dalian qingdao harbin
    changsha zhengzhou jinan suzhou wuxi ningbo xiamen fuzhou hefei kunming shenyang
    changchun taiyuan shijiazhuang nanchang guiyang lanzhou urumqi xinjiang guangdong jiangsu
    zhejiang sichuan hubei hunan henan hebei shandong shanxi shaanxi fujian anhui jiangxi
    liaoning jilin heilongjiang yunnan guangxi hainan mongolia tibet dongguan foshan zhuhai
    mianyang baotou luoyang zhuzhou xiangtan russia russian rossii rossiiskoi rossiyskoy
    moscow moskva moskovskii moskovsky petersburg peterburg sankt novosibirsk yekaterinburg
    ekaterinburg kazan nizhny nizhnii novgorod samara rostov chelyabinsk omsk perm ufa
    krasnoyarsk voronezh tula izhevsk smolensk kaluga ryazan tomsk irkutsk vladivostok
    crimea sevastopol belarus minsk ukraine kiev kyiv iran iranian tehran isfahan esfahan
    shiraz tabriz mashhad karaj syria syrian damascus aleppo iraq iraqi baghdad lebanon
    lebanese beirut yemen sanaa uae emirates dubai sharjah dhabi ajman turkey turkiye
    istanbul ankara izmir pakistan karachi lahore islamabad rawalpindi india delhi mumbai
    bangalore afghanistan kabul korea korean dprk pyongyang seoul japan tokyo singapore
    malaysia kuala lumpur thailand bangkok vietnam hanoi indonesia jakarta cuba havana
    venezuela caracas armenia yerevan tbilisi kazakhstan almaty astana uzbekistan tashkent
    kyrgyzstan bishkek azerbaijan baku estonia latvia riga lithuania finland germany german
    france french italy spain netherlands cyprus nicosia limassol greece serbia belgrade
    bulgaria egypt cairo libya tripoli sudan khartoum gaza palestine amman saudi arabia
    riyadh jeddah qatar doha kuwait bahrain oman muscat mexico colombia panama liberia usa
    america american united states kingdom britain british london europe european asia
    asian pacific eastern western northern southern east west north south middle far
    central"""
)

#: Long words of legal forms and generic vocabulary: a token one edit away from one of them
#: (two edits from 11 letters) is taken as a typo of it. Typos inside legal forms
#: ("Obshchestvo s Ogrannichennoi ...", "Compayn", "Liabiltiy") otherwise turn low-weight
#: words into unmatched high-weight "distinctive" tokens (reference note, section 3.1).
LEGAL_WORDS: frozenset[str] = wordset(
    """limited liability company corporation incorporated partnership aktsionernoe
    aktsionernoye obshchestvo obschestvo ogranichennoi ogranichennoy otvetstvennostyu
    otvetstvennostiu zakrytoe zakrytoye otkrytoe otkrytoye publichnoe gesellschaft
    aktiengesellschaft beschraenkter sociedad anonima responsabilidad limitada societe
    anonyme sirketi private public closed unitary"""
)
