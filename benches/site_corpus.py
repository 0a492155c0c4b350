#!/usr/bin/env python3
"""Write a synthetic news site of N articles, to measure `gazette build` at scale.

    python3 benches/site_corpus.py N DIR      # DIR/gazette.toml + DIR/articles/*.md

The articles are made up and deterministic (a fixed seed): a fifth in Arabic, the rest
in English, dated over ten years, each ~250 words naming three to eight places drawn
from a pool of real ones, a few of them (Kabul, Kandahar…) far more often than the
rest, so that some place pages list tens of thousands of events, as a real archive's
do. benches/site_scale.sh builds such sites and records time, memory and output size.
"""

import os
import random
import sys
from datetime import date, timedelta

# (English name, Arabic name, weight): a heavy head and a long tail, like real coverage.
PLACES = [
    ("Kabul", "كابول", 40), ("Kandahar", "قندهار", 25), ("Herat", "هرات", 15),
    ("Mazar-i-Sharif", "مزار الشريف", 12), ("Jalalabad", "جلال آباد", 10),
    ("Kunduz", "قندوز", 8), ("Ghazni", "غزني", 6), ("Lashkar Gah", "لشكركاه", 6),
    ("Islamabad", "إسلام آباد", 10), ("Peshawar", "بيشاور", 8), ("Quetta", "كويتا", 7),
    ("Karachi", "كراتشي", 6), ("Lahore", "لاهور", 5), ("Tehran", "طهران", 10),
    ("Mashhad", "مشهد", 5), ("Dushanbe", "دوشنبه", 5), ("Tashkent", "طشقند", 5),
    ("Termez", "ترمذ", 3), ("Moscow", "موسكو", 8), ("Beijing", "بكين", 6),
    ("New Delhi", "نيودلهي", 6), ("Doha", "الدوحة", 8), ("Dubai", "دبي", 5),
    ("Riyadh", "الرياض", 5), ("Ankara", "أنقرة", 4), ("Istanbul", "إسطنبول", 5),
    ("Cairo", "القاهرة", 5), ("Baghdad", "بغداد", 6), ("Damascus", "دمشق", 6),
    ("Beirut", "بيروت", 5), ("Amman", "عمان", 4), ("Sanaa", "صنعاء", 4),
    ("Aden", "عدن", 3), ("Mosul", "الموصل", 3), ("Basra", "البصرة", 3),
    ("Aleppo", "حلب", 4), ("Tripoli", "طرابلس", 3), ("Khartoum", "الخرطوم", 4),
    ("Tunis", "تونس", 3), ("Algiers", "الجزائر", 3), ("Rabat", "الرباط", 2),
    ("Nairobi", "نيروبي", 3), ("Mogadishu", "مقديشو", 3), ("Addis Ababa", "أديس أبابا", 3),
    ("Lagos", "لاغوس", 2), ("London", "لندن", 6), ("Paris", "باريس", 5),
    ("Berlin", "برلين", 4), ("Geneva", "جنيف", 4), ("Brussels", "بروكسل", 3),
    ("Washington", "واشنطن", 8), ("New York", "نيويورك", 5), ("Tokyo", "طوكيو", 2),
    ("Jakarta", "جاكرتا", 2), ("Manila", "مانيلا", 2), ("Sydney", "سيدني", 2),
    ("Mexico City", "مكسيكو سيتي", 2), ("Bogotá", "بوغوتا", 2), ("Lima", "ليما", 1),
    ("Buenos Aires", "بوينس آيرس", 1), ("Kyiv", "كييف", 4), ("Warsaw", "وارسو", 2),
    ("Rome", "روما", 2), ("Madrid", "مدريد", 2), ("Athens", "أثينا", 2),
    ("Baku", "باكو", 2), ("Tbilisi", "تبليسي", 2), ("Yerevan", "يريفان", 2),
    ("Bishkek", "بيشكك", 1), ("Almaty", "ألماتي", 2), ("Ashgabat", "عشق آباد", 1),
    ("Khost", "خوست", 3), ("Bamyan", "باميان", 2), ("Faizabad", "فيض آباد", 2),
    ("Spin Boldak", "سبين بولدك", 2), ("Torkham", "طورخم", 2), ("Chaman", "شامان", 2),
    ("Zaranj", "زرنج", 1), ("Farah", "فراه", 1), ("Pul-e Khumri", "بول خمري", 1),
]

EN_OPEN = [
    "Officials in {a} said on {day} that talks with delegations from {b} would resume next week.",
    "Residents of {a} reported heavy traffic on the roads towards {b} after the announcement.",
    "A convoy carrying food and medicine left {a} for {b}, aid workers said.",
    "Prices of flour and fuel rose again in {a}, traders told reporters, blaming delays at {b}.",
    "Police in {a} said several people were hurt in a blast near a market; no group claimed it.",
    "Flights between {a} and {b} resumed after a pause of several days, the airline said.",
]
EN_MORE = [
    "Diplomats in {a} said the meeting had been planned for weeks.",
    "Later in the day, a spokesman in {a} said more talks were expected.",
    "Analysts in {a} said the move could change the situation in {b}.",
    "Schools in {a} stayed closed, and markets opened late.",
    "Families who had travelled from {a} described long queues at the border.",
    "The ministry in {a} gave no figures, but local officials in {b} said hundreds were affected.",
    "Correspondents in {a} said the streets were calm by the evening.",
    "Hospitals in {a} asked for blood donations.",
]
AR_OPEN = [
    "قال مسؤولون في {a} يوم {day} إن المحادثات مع وفود من {b} ستستأنف الأسبوع المقبل.",
    "أفاد سكان في {a} بازدحام كبير على الطرق المؤدية إلى {b} بعد الإعلان.",
    "غادرت قافلة تحمل أغذية وأدوية {a} متجهة إلى {b} بحسب عاملين في الإغاثة.",
    "ارتفعت أسعار الطحين والوقود مجدداً في {a} وعزا التجار ذلك إلى التأخير في {b}.",
]
AR_MORE = [
    "وقال دبلوماسيون في {a} إن الاجتماع كان مقرراً منذ أسابيع.",
    "وقال متحدث في {a} إن مزيداً من المحادثات متوقع.",
    "ورأى محللون في {a} أن الخطوة قد تغير الوضع في {b}.",
    "وبقيت المدارس في {a} مغلقة وفتحت الأسواق متأخرة.",
    "ووصفت عائلات قادمة من {a} طوابير طويلة على الحدود.",
]
EN_TITLE = ["Talks resume in {a}", "Aid convoy reaches {a}", "Prices rise in {a}", "Blast near market in {a}",
            "Flights resume to {a}", "Border crossing reopens near {a}", "Protest in {a}", "Floods hit {a}"]
AR_TITLE = ["استئناف المحادثات في {a}", "قافلة مساعدات تصل إلى {a}", "ارتفاع الأسعار في {a}",
            "انفجار قرب سوق في {a}", "إعادة فتح معبر قرب {a}"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
AR_DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]

CONFIG = """# A synthetic site for benches/site_scale.sh (benches/site_corpus.py wrote it).
title = "Synthetic news, {n} articles"
description = "Made-up articles for measuring gazette build."
base_url = "https://example.org/news/"

[map]
tiles = "none"

[timeline]
granularity = "month"
"""


def article(rng, i, start):
    arabic = i % 5 == 4
    weights = [w for _, _, w in PLACES]
    n = rng.randint(3, 8)
    picks = []
    while len(picks) < n:
        p = rng.choices(PLACES, weights)[0]
        if p not in picks:
            picks.append(p)
    names = [p[1] if arabic else p[0] for p in picks]
    d = start + timedelta(days=rng.randrange(3650))
    day = (AR_DAYS if arabic else DAYS)[d.weekday()]

    def fill(t, k):
        return t.format(a=names[k % n], b=names[(k + 1) % n], day=day)

    title = fill(rng.choice(AR_TITLE if arabic else EN_TITLE), 0) + f" ({i})"
    opening, more = (AR_OPEN, AR_MORE) if arabic else (EN_OPEN, EN_MORE)
    paras = []
    k = 0
    for _ in range(4):
        sentences = [fill(rng.choice(opening), k)]
        k += 1
        for _ in range(3):
            sentences.append(fill(rng.choice(more), k))
            k += 1
        paras.append(" ".join(sentences))
    lang = "ar" if arabic else "en"
    front = (
        f'+++\ntitle = "{title}"\ndate = {d.isoformat()}\nlang = "{lang}"\n'
        f'source = "synthetic"\ntags = ["synthetic", "t{i % 40}"]\n+++\n\n'
    )
    return d, front + "\n\n".join(paras) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20210815)
    os.makedirs(os.path.join(out, "articles"), exist_ok=True)
    with open(os.path.join(out, "gazette.toml"), "w", encoding="utf-8") as f:
        f.write(CONFIG.format(n=n))
    start = date(2015, 1, 1)
    for i in range(n):
        d, text = article(rng, i, start)
        with open(os.path.join(out, "articles", f"{d.isoformat()}-{i:06d}.md"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
