"""The texts of the letters to a household, in German and in the languages people read.

Each letter is German with the person's language beside it: German is what counts, the
translation is what the person understands. A text may name `{name}`, `{date}`, `{time}`,
`{place}`, `{language}`, `{site}`, `{unit}`, `{city}`; the letter fills them in, each value
isolated so that a Latin name inside an Arabic sentence keeps its own direction.
Translations are kept short and plain (the city's translators review them).
"""

from __future__ import annotations

from enum import StrEnum


class LetterKind(StrEnum):
    APPOINTMENT_INVITATION = "appointment_invitation"
    PLACEMENT_NOTICE = "placement_notice"


GERMAN = "de"
# Languages a letter can be written in beside German; right-to-left ones are marked.
LANGUAGES = ("ar", "fa", "uk", "en")
RIGHT_TO_LEFT = frozenset({"ar", "fa"})

# kind → language → lines (a title first, then paragraphs; `None`-free, in order).
_INVITATION = {
    "de": {
        "title": "Einladung zu einem Termin",
        "greeting": "Guten Tag {name},",
        "lines": [
            "wir laden Sie zu einem Termin bei der sozialen Betreuung ein.",
            "Datum: {date}, Uhrzeit: {time} Uhr",
            "Ort: {place}",
        ],
        "interpreter": "Eine Dolmetscherin oder ein Dolmetscher für {language} ist dabei.",
        "bring": "Bitte bringen Sie Ihren Ausweis oder Ihre Aufenthaltspapiere mit. Wenn Sie "
        "nicht kommen können, sagen Sie uns bitte vorher Bescheid.",
    },
    "ar": {
        "title": "دعوة إلى موعد",
        "greeting": "مرحباً {name}،",
        "lines": [
            "ندعوكم إلى موعد لدى قسم الرعاية الاجتماعية.",
            "التاريخ: {date}، الساعة: {time}",
            "المكان: {place}",
        ],
        "interpreter": "سيكون مترجم للغة {language} حاضراً.",
        "bring": "يرجى إحضار بطاقة الهوية أو وثائق الإقامة. إذا لم تتمكنوا من الحضور، "
        "يرجى إبلاغنا مسبقاً.",
    },
    "fa": {
        "title": "دعوت‌نامه برای وقت ملاقات",
        "greeting": "{name} گرامی،",
        "lines": [
            "شما را به یک وقت ملاقات در بخش مددکاری اجتماعی دعوت می‌کنیم.",
            "تاریخ: {date}، ساعت: {time}",
            "مکان: {place}",
        ],
        "interpreter": "یک مترجم برای زبان {language} حضور خواهد داشت.",
        "bring": "لطفاً کارت شناسایی یا مدارک اقامت خود را همراه بیاورید. اگر نمی‌توانید "
        "بیایید، لطفاً از قبل به ما اطلاع دهید.",
    },
    "uk": {
        "title": "Запрошення на зустріч",
        "greeting": "Добрий день, {name}!",
        "lines": [
            "Запрошуємо Вас на зустріч із соціальною службою.",
            "Дата: {date}, час: {time}",
            "Місце: {place}",
        ],
        "interpreter": "Буде присутній перекладач ({language}).",
        "bring": "Будь ласка, візьміть із собою посвідчення особи або документи про "
        "перебування. Якщо Ви не можете прийти, будь ласка, повідомте нас заздалегідь.",
    },
    "en": {
        "title": "Invitation to an appointment",
        "greeting": "Dear {name},",
        "lines": [
            "We invite you to an appointment with social care services.",
            "Date: {date}, time: {time}",
            "Place: {place}",
        ],
        "interpreter": "An interpreter for {language} will be there.",
        "bring": "Please bring your identity card or your residence papers. If you cannot "
        "come, please let us know beforehand.",
    },
}
_PLACEMENT = {
    "de": {
        "title": "Mitteilung über Ihre Unterkunft",
        "greeting": "Guten Tag {name},",
        "lines": [
            "Ihrem Haushalt ist eine Unterkunft zugewiesen.",
            "Unterkunft: {site}, Wohneinheit {unit}",
            "Seit: {date}",
            "Bei Fragen wenden Sie sich bitte an Ihre soziale Betreuung.",
        ],
    },
    "ar": {
        "title": "إشعار بشأن سكنكم",
        "greeting": "مرحباً {name}،",
        "lines": [
            "تم تخصيص سكن لأسرتكم.",
            "السكن: {site}، الوحدة السكنية {unit}",
            "اعتباراً من: {date}",
            "إذا كانت لديكم أسئلة، يرجى التواصل مع قسم الرعاية الاجتماعية.",
        ],
    },
    "fa": {
        "title": "اطلاعیه درباره محل اسکان شما",
        "greeting": "{name} گرامی،",
        "lines": [
            "یک محل اسکان به خانوار شما اختصاص داده شده است.",
            "محل اسکان: {site}، واحد {unit}",
            "از تاریخ: {date}",
            "در صورت داشتن سؤال، لطفاً با بخش مددکاری اجتماعی تماس بگیرید.",
        ],
    },
    "uk": {
        "title": "Повідомлення про Ваше житло",
        "greeting": "Добрий день, {name}!",
        "lines": [
            "Вашому домогосподарству надано житло.",
            "Житло: {site}, житлова одиниця {unit}",
            "З: {date}",
            "Якщо у Вас є запитання, будь ласка, зверніться до соціальної служби.",
        ],
    },
    "en": {
        "title": "Notice of your accommodation",
        "greeting": "Dear {name},",
        "lines": [
            "Your household has been given accommodation.",
            "Accommodation: {site}, unit {unit}",
            "Since: {date}",
            "If you have questions, please contact social care services.",
        ],
    },
}
CLOSING = {
    "de": ("Mit freundlichen Grüßen", "Soziale Betreuung, Stadt {city}"),
    "ar": ("مع أطيب التحيات", "الرعاية الاجتماعية، مدينة {city}"),
    "fa": ("با احترام", "مددکاری اجتماعی، شهر {city}"),
    "uk": ("З повагою", "Соціальна служба, місто {city}"),
    "en": ("Kind regards", "Social care services, City of {city}"),
}
TEXTS = {LetterKind.APPOINTMENT_INVITATION: _INVITATION, LetterKind.PLACEMENT_NOTICE: _PLACEMENT}
