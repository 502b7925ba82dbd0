"""Each article's language, told once from its head, and a warning for what the model cannot read.

The texts are written for these tests, on the pools' subject (talks with armed
groups), in several languages and scripts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path

import py3langid  # type: ignore[import-untyped]
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

from pipeline.predict.inputs import InputSentence
from pipeline.predict.language import NAMED_ARTICLES, cached_model, load_identifier, with_language

TEXTS = {
    "en": [
        "The government said on Tuesday that talks with the armed groups would resume next week in Doha.",
        "The foreign minister told reporters that a ceasefire was the only way to end the violence in the region.",
        "Critics argue that the last agreement offered no guarantee that civilians would be protected.",
        "Representatives of both sides issued a joint statement after three days of negotiations.",
        "Many villagers in the tribal districts still do not trust the promises of peace.",
        "An elder from Miranshah said the jirga had met twice but reached no decision.",
    ],
    "fa": [
        "دولت اعلام کرد که گفت‌وگوها با گروه‌های مسلح هفته آینده در دوحه از سر گرفته خواهد شد.",
        "وزیر خارجه گفت که آتش‌بس تنها راه پایان دادن به خشونت در منطقه است.",
        "منتقدان می‌گویند که توافق قبلی هیچ تضمینی برای حفاظت از غیرنظامیان نداشت.",
        "نمایندگان هر دو طرف پس از سه روز مذاکره بیانیه‌ای مشترک منتشر کردند.",
        "بسیاری از ساکنان روستاها هنوز به وعده‌های صلح اعتماد ندارند.",
    ],
    "ur": [
        "حکومت نے اعلان کیا ہے کہ شدت پسند گروہوں کے ساتھ مذاکرات اگلے ہفتے دوبارہ شروع ہوں گے۔",
        "وزیر داخلہ نے کہا کہ جنگ بندی کے بغیر علاقے میں امن ممکن نہیں ہے۔",
        "ناقدین کا کہنا ہے کہ پچھلے معاہدے میں عام شہریوں کے تحفظ کی کوئی ضمانت نہیں تھی۔",
        "دونوں فریقوں کے نمائندوں نے تین دن کی بات چیت کے بعد ایک مشترکہ بیان جاری کیا۔",
        "قبائلی علاقوں کے بہت سے لوگ اب بھی امن کے وعدوں پر یقین نہیں رکھتے۔",
    ],
    "fr": [
        "Le gouvernement a annoncé que les pourparlers avec les groupes armés reprendraient la semaine prochaine à Doha.",
        "Le ministre des Affaires étrangères a déclaré que le cessez-le-feu était la seule voie pour mettre fin aux violences.",
        "Selon les critiques, l'accord précédent n'offrait aucune garantie pour la protection des civils.",
        "Les représentants des deux camps ont publié une déclaration commune après trois jours de négociations.",
        "Beaucoup d'habitants des villages ne croient plus aux promesses de paix.",
    ],
    "es": [
        "El gobierno anunció que las conversaciones con los grupos armados se reanudarán la próxima semana en La Habana.",
        "El ministro de Exteriores afirmó que el alto el fuego es el único camino para acabar con la violencia.",
        "Los críticos sostienen que el acuerdo anterior no ofrecía ninguna garantía para proteger a los civiles.",
        "Los representantes de ambas partes publicaron un comunicado conjunto tras tres días de negociaciones.",
        "Muchos campesinos todavía desconfían de las promesas de paz.",
    ],
    "ps": [
        "حکومت اعلان وکړ چې له وسله والو ډلو سره خبرې اترې به راتلونکې اونۍ بیا پیل شي.",
        "د بهرنیو چارو وزیر وویل چې اوربند د تاوتریخوالي د پای ته رسولو یوازینۍ لار ده.",
        "منتقدین وايي چې پخوانۍ تړون د ملکي وګړو د ساتنې هیڅ تضمین نه درلود.",
        "د دواړو خواوو استازو د درې ورځو خبرو وروسته ګډه اعلامیه خپره کړه.",
    ],
    "ar": [
        "أعلنت الحكومة أن المحادثات مع الجماعات المسلحة ستستأنف الأسبوع المقبل في الدوحة.",
        "وقال وزير الخارجية إن وقف إطلاق النار هو السبيل الوحيد لإنهاء العنف في المنطقة.",
        "ويقول المنتقدون إن الاتفاق السابق لم يتضمن أي ضمانات لحماية المدنيين.",
        "وأصدر ممثلو الطرفين بيانا مشتركا بعد ثلاثة أيام من المفاوضات.",
    ],
    "ru": [
        "Правительство объявило, что переговоры с вооружёнными группировками возобновятся на следующей неделе.",
        "Министр иностранных дел заявил, что прекращение огня — единственный способ положить конец насилию.",
        "Критики утверждают, что прежнее соглашение не давало никаких гарантий защиты мирных жителей.",
        "Представители обеих сторон опубликовали совместное заявление после трёх дней переговоров.",
    ],
    "tr": [
        "Hükümet, silahlı gruplarla görüşmelerin gelecek hafta yeniden başlayacağını açıkladı.",
        "Dışişleri Bakanı, ateşkesin bölgedeki şiddete son vermenin tek yolu olduğunu söyledi.",
        "Eleştirmenler, önceki anlaşmanın sivillerin korunması için hiçbir güvence vermediğini belirtiyor.",
        "İki tarafın temsilcileri üç günlük müzakerelerin ardından ortak bir bildiri yayımladı.",
    ],
    "hi": [
        "सरकार ने घोषणा की कि सशस्त्र समूहों के साथ बातचीत अगले सप्ताह फिर से शुरू होगी।",
        "विदेश मंत्री ने कहा कि युद्धविराम ही क्षेत्र में हिंसा को समाप्त करने का एकमात्र रास्ता है।",
        "आलोचकों का कहना है कि पिछले समझौते में नागरिकों की सुरक्षा की कोई गारंटी नहीं थी।",
    ],
    "de": [
        "Die Regierung kündigte an, dass die Gespräche mit den bewaffneten Gruppen nächste Woche wieder aufgenommen werden.",
        "Der Außenminister sagte, ein Waffenstillstand sei der einzige Weg, die Gewalt in der Region zu beenden.",
        "Kritiker sagen, das frühere Abkommen habe keinerlei Garantien für den Schutz der Zivilbevölkerung enthalten.",
    ],
    "id": [
        "Pemerintah mengumumkan bahwa perundingan dengan kelompok bersenjata akan dilanjutkan pekan depan.",
        "Menteri Luar Negeri mengatakan bahwa gencatan senjata adalah satu-satunya jalan untuk mengakhiri kekerasan.",
        "Para pengkritik mengatakan perjanjian sebelumnya tidak memberikan jaminan perlindungan bagi warga sipil.",
    ],
    "so": [
        "Dowladda ayaa ku dhawaaqday in wadahadallada kooxaha hubeysan dib loo bilaabi doono toddobaadka soo socda.",
        "Wasiirka arrimaha dibadda ayaa sheegay in xabbad joojintu ay tahay waddada kaliya ee lagu soo afjari karo rabshadaha.",
    ],
    "tl": [
        "Inanunsyo ng pamahalaan na muling magsisimula ang usapang pangkapayapaan sa mga rebelde sa susunod na linggo.",
        "Sinabi ng kalihim na ang tigil-putukan ang tanging paraan upang wakasan ang karahasan sa rehiyon.",
    ],
}
HEADLINES = ("Talks with the Taliban resume in Doha", "Ceasefire holds", "Jirga meets in Miranshah", "PM: no deal with TTP")
# English that an identifier finds hard: shouting, lists of names, numbers only.
HARD_ENGLISH = (
    "WHY WOULD ANYONE TRUST THE CEASEFIRE AFTER LAST YEAR? NOT ME. #nodeal @someone",
    "Kabul, Islamabad, Peshawar, Quetta, Miranshah, Wana, Bannu, Kohat, Swat",
    "Mullah Fazlullah, Sufi Muhammad, Baitullah Mehsud, Hakimullah Mehsud and Maulvi Nazir",
    "2024-05-01 12:00 | 3,400 | 17% | +2.5",
)


def article(source: str, name: str, texts: Sequence[str]) -> list[InputSentence]:
    return [InputSentence(source, name, index, text) for index, text in enumerate(texts)]


def marked(sentences: list[InputSentence]) -> tuple[list[InputSentence], list[str]]:
    warnings: list[str] = []
    return list(with_language(sentences, warnings.append)), warnings


def test_english_article_is_english_without_a_word() -> None:
    out, warnings = marked(article("news.txt", "news", TEXTS["en"]))
    assert [s.language for s in out] == ["en"] * len(TEXTS["en"])
    assert warnings == []


@pytest.mark.parametrize("headline", HEADLINES)
def test_short_english_headline_never_warns(headline: str) -> None:
    out, warnings = marked(article("headline.txt", "headline", [headline]))
    assert (out[0].language, warnings) == ("en", [])


@pytest.mark.parametrize("text", HARD_ENGLISH)
def test_english_an_identifier_finds_hard_is_not_called_foreign(text: str) -> None:
    out, warnings = marked(article("hard.txt", "hard", [text]))
    assert (out[0].language, warnings) == ("en", [])


@pytest.mark.parametrize("code", ["fa", "ur", "hi", "fr"])
def test_one_foreign_sentence_is_enough_to_tell(code: str) -> None:
    out, warnings = marked(article("line.txt", "line", TEXTS[code][:1]))
    assert out[0].language == code and len(warnings) == 1


@pytest.mark.parametrize(("code", "name"), [("fa", "Persian"), ("ur", "Urdu"), ("fr", "French"), ("es", "Spanish")])
def test_foreign_article_gets_its_code_and_one_warning_naming_the_file(code: str, name: str) -> None:
    out, warnings = marked(article(f"in/{code}.txt", code, TEXTS[code]))
    assert {s.language for s in out} == {code}
    assert [s.text for s in out] == TEXTS[code]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"in/{code}.txt, article {code}: reads as {name}, not English")
    assert "English only" in warnings[0]


@pytest.mark.parametrize("code", ["ps", "ar", "ru", "tr", "hi", "de", "id"])
def test_other_languages_and_scripts_are_told_apart(code: str) -> None:
    out, warnings = marked(article("x.txt", "x", TEXTS[code]))
    assert {s.language for s in out} == {code}
    assert len(warnings) == 1


def test_interleaved_articles_of_two_files_keep_their_own_languages() -> None:
    persian, french = article("a.jsonl", "1", TEXTS["fa"]), article("b.jsonl", "1", TEXTS["fr"])
    stream = [*persian[:3], *french[:3], *persian[3:], *french[3:]]
    out, warnings = marked(stream)
    assert [(s.source, s.language) for s in out] == [(s.source, "fa" if s.source == "a.jsonl" else "fr") for s in stream]
    assert [w.split(",")[0] for w in warnings] == ["a.jsonl", "b.jsonl"]


def test_many_foreign_articles_are_named_up_to_a_cap_then_counted_in_one_line() -> None:
    codes = ["fa", "ur", "fr", "es", "fa", "ur", "fa", "ru"]
    stream = [s for n, code in enumerate(codes) for s in article(f"{n}.txt", str(n), TEXTS[code])]
    _, warnings = marked([*stream, *article("en.txt", "en", TEXTS["en"])])
    assert len(warnings) == NAMED_ARTICLES + 1
    assert [w.split(",")[0] for w in warnings[:NAMED_ARTICLES]] == [f"{n}.txt" for n in range(NAMED_ARTICLES)]
    assert warnings[-1].startswith(f"{len(codes) - NAMED_ARTICLES} more articles are not in English ({len(codes)} in all: 3 Persian, 2 Urdu, ")


def test_reads_no_further_than_one_sentence_past_an_article() -> None:
    first = article("a.txt", "a", TEXTS["ur"])

    def stream() -> Iterator[InputSentence]:
        yield from first
        yield from article("b.txt", "b", TEXTS["en"][:1])
        raise AssertionError("read past the sentence that ends the first article")

    wrapped = with_language(stream(), lambda _: None)
    assert [s.language for s in islice(wrapped, len(first))] == ["ur"] * len(first)
    with pytest.raises(AssertionError, match="read past"):
        next(wrapped)


def test_long_article_is_told_from_its_head_and_streamed() -> None:
    """A long article's language is known from its head: the rest passes through unread by the identifier."""
    body = article("long.txt", "long", TEXTS["es"] * 200)
    out, warnings = marked(body)
    assert len(out) == len(body) and {s.language for s in out} == {"es"} and len(warnings) == 1


# --- the identifier's uncompressed copy -------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> LanguageIdentifier:
    """py3langid's model read by py3langid itself, from the file it ships."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def ranks(identifier: LanguageIdentifier) -> list[list[tuple[str, float]]]:
    return [identifier.rank(text) for text in (*(" ".join(texts) for texts in TEXTS.values()), *HARD_ENGLISH)]


def test_the_cached_copy_ranks_exactly_as_the_shipped_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped: LanguageIdentifier) -> None:
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path))
    first = load_identifier()
    copy = cached_model()
    assert copy.is_relative_to(tmp_path) and copy.stat().st_size > 10 * (Path(py3langid.__file__).parent / MODEL_FILE).stat().st_size
    written = copy.stat().st_mtime_ns
    assert ranks(first) == ranks(load_identifier()) == ranks(shipped)
    assert copy.stat().st_mtime_ns == written and [p.name for p in copy.parent.iterdir()] == [copy.name]  # read, not rewritten; no leftovers


def test_a_damaged_copy_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped: LanguageIdentifier) -> None:
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path))
    load_identifier()
    whole = cached_model().read_bytes()
    cached_model().write_bytes(whole[: len(whole) // 2])
    assert ranks(load_identifier()) == ranks(shipped)
    assert cached_model().read_bytes() == whole


def test_without_a_writable_cache_the_shipped_model_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped: LanguageIdentifier) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("STANCE_CACHE", str(blocked))
    assert ranks(load_identifier()) == ranks(shipped)
