"""The claim patterns: a documented list of (name, claim kind, regex, handler), English and Russian.

Each pattern's regex finds a trigger in one sentence (at most `sentences.MAX_SENTENCE` characters, so no
pattern can run away); its handler (handlers.py, stances.py, expectations.py) fills the claim's fields
from the mentions around the trigger and reads factuality from cues in the trigger's comma-chunk
(context.factuality). ingest/TEXT.md lists the same patterns for people; a test keeps the two in step.

Questions assert nothing, so only the patterns marked `in_questions` (counts the question reports, such
as "the media mentioned 28 points") run on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingest.text import expectations as x
from ingest.text import handlers as h
from ingest.text import stances as st
from ingest.text.context import NUMBER, ClaimContext
from ingest.text.model import Claim
from ingest.text.sentences import sentences

Handler = Callable[[ClaimContext, int, int, "re.Match[str]", str], list[Claim]]


@dataclass(frozen=True)
class Pattern:
    name: str
    kind: str                          # the claim kind it makes (documentation; the handler decides)
    regex: re.Pattern[str]
    handler: Handler
    doc: str
    in_questions: bool = False
    once_per_sentence: bool = False
    question: re.Pattern[str] | None = None   # the answered question must match this
    first_sentence_only: bool = False


def _r(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


PATTERNS: list[Pattern] = [
    # -- meetings and calls ------------------------------------------------------------------------
    Pattern("meeting-took-place", "event-report", _r(
        r"\b(?:meeting|talks|conversation|negotiations|consultations|phone\s+call|telephone\s+conversation)\s+"
        r"(?:took\s+place|was\s+held|were\s+held|lasted|went\s+on|proceeded)\b|"
        r"\b(?:встреча|переговоры|беседа|консультации|разговор)\s+(?:прошл[аи]|состоял[аи]сь|длил[аи]сь|"
        r"продолжал[аи]сь)"), h.meeting_report,
        "the meeting took place / lasted / was held …; встреча прошла → event-report; «between X and Y» → participants"),
    Pattern("met-with", "participation", _r(
        r"\b(?:met(?:\s+(?:for\s+(?:several|two|three|four|five|six|many|a\s+few|about\s+\w+)\s+hours|again|today|"
        r"yesterday|separately|briefly|privately))?(?:\s+with)?|meets(?:\s+with)?|received|hosted|"
        r"held\s+talks\s+with|held\s+a\s+meeting\s+with|(?:concluded|held|had|finished|completed|wrapped\s+up)\s+"
        r"(?:a|an|the|our|another)\s+(?:long\s+|lengthy\s+|productive\s+|first\s+|second\s+|new\s+)?(?:session|round|"
        r"meeting|consultations|conversation)\s+with|"
        r"had\s+a\s+(?:meeting|(?:phone\s+|telephone\s+)?(?:call|conversation))\s+with|spoke\s+by\s+phone\s+with|"
        r"talked\s+(?:by\s+phone\s+)?with)\b|"
        r"(?:встретил(?:ся|ась|ись)|провел\w*\s+(?:переговоры|встречу)|принял\w*|побеседовал\w*|"
        r"переговорил\w*|провел\w*\s+телефонный\s+разговор)\s+(?:с|со)\b"), h.met_with,
        "X met (with) / received / held talks with Y (and Z); «representatives of W: A and B» → A, B envoys "
        "on behalf of W"),
    Pattern("took-part", "participation", _r(
        r"\b(?:took\s+part\s+in|participated\s+in|(?:were|was)\s+(?:also\s+)?(?:present|part\s+of\s+(?:our|the|their)\s+"
        r"(?:delegation|team))|joined\s+(?:the\s+)?(?:talks|meeting|delegation))\b|"
        r"\b(?:принял\w*\s+участие|участвовал\w*|присутствовал\w*|вошл?\w*\s+в\s+состав\s+делегации)"), h.took_part,
        "X and Y took part / were part of our delegation / приняли участие → participation"),
    Pattern("discussed", "event-report", _r(
        r"(?P<cover>\b(?:discussion|conversation|talks|negotiations|meeting)\s+(?:also\s+)?(?:covered|"
        r"touched\s+(?:up)?on|focused\s+on|addressed|dealt\s+with|cent(?:red|ered)\s+on)\b|"
        r"(?:в\s+ходе\s+)?(?:беседы|встречи|переговоров)\s+(?:также\s+)?(?:затронули|коснулись|обсудили))|"
        r"\b(?:discuss(?:ed|es|ing)?|review(?:ed|ing)?)\b|(?P<through>\b(?:went|go|going|walked)\s+through)\b|"
        r"\b(?:обсудил\w*|обсуждал\w*|обсуждают|обсуждался|обсуждались|обсужден\w*|обсуждён\w*|рассмотрел\w*|"
        r"затронул\w*|коснул\w*)"), h.discussed,
        "documents discussed / reviewed → document-transfer (discussed); the discussion covered issues A and B "
        "→ one event-report per issue; other past discussions → event-report"),
    Pattern("outcome", "event-report", _r(
        r"\b(?:open\s+items|differences|gaps|disagreements|outstanding\s+issues)\s+(?:has|have|had)\s+been\s+"
        r"(?:substantially\s+|significantly\s+|largely\s+)?(?:narrowed|reduced|resolved|closed|bridged|settled)|"
        r"\b(?:made|achieved|reached)\s+(?:significant\s+|real\s+|some\s+|good\s+|considerable\s+|substantial\s+)?"
        r"progress\b|\b(?:удалось\s+)?сблизить\s+позиции|\bдостигнут\w*\s+(?:определенн\w*\s+|значительн\w*\s+)?"
        r"прогресс|\bдобились\s+прогресса"), h.outcome,
        "open items have been narrowed / progress was made → event-report (the outcome)"),
    # -- documents ---------------------------------------------------------------------------------
    Pattern("document-points", "document-points", _r(
        rf"\b(?P<n>{NUMBER})(?:[- ]point\b|\s+points\b|\s+пункт\w*)"), h.document_points,
        "a document with N points / the N-point plan / план из N пунктов", in_questions=True),
    Pattern("document-transfer", "document-transfer", _r(
        r"\b(?:(?P<sent>sent|transmitted|handed(?:\s+over)?|passed\s+on|delivered|submitted|forwarded)|"
        r"(?P<presented>presented|put\s+forward|tabled|unveiled)|(?P<received>received))\b|"
        r"(?:(?P<sent_ru>направил\w*|направлен\w*|передал\w*|передан\w*|отправил\w*|отправлен\w*|прислал\w*)|"
        r"(?P<presented_ru>представил\w*|представлен\w*|вручил\w*)|(?P<received_ru>получил\w*|получал\w*|получен\w*))"),
        lambda c, s, e, m, n: h.transfer(c, s, e, _Folded(m), n),
        "a document / proposals / the plan sent, presented or received, «from X to Y», «to us»"),
    Pattern("document-count", "figure", _r(
        rf"\b(?P<n>{NUMBER})\s+(?:more|further|additional|new|other|separate)\s+documents\b|"
        rf"(?:ещё|еще|дополнительно)\s+(?P<n_ru>{NUMBER})\s+документ\w*"),
        lambda c, s, e, m, n: h.document_figure(c, s, e, _Folded(m), n),
        "N more / further documents → a figure on the document package"),
    # -- agreements and non-disclosure -------------------------------------------------------------
    Pattern("non-disclosure", "non-disclosure", _r(
        r"(?P<agreed>\b(?:agreed|decided|promised|undertook)\s+not\s+to|договорились\s+не|решили\s+не)\s*"
        r"(?:disclose|reveal|divulge|publish|make\s+public|comment\s+on|negotiate\s+(?:in\s+public|publicly)|"
        r"раскрывать|разглашать|публиковать|"
        r"комментировать)\w*|"
        r"\b(?:cannot|can't|can\s+not|will\s+not|won't|would\s+not|wouldn't|not\s+going\s+to|not\s+in\s+a\s+"
        r"position\s+to|unable\s+to|не\s+(?:могу|можем|буду|будем|станем|стал|стали|вправе))\s+"
        r"(?:disclose|reveal|divulge|share\s+(?:the\s+)?details|go\s+into\s+(?:the\s+)?details|раскрывать|раскрыть|"
        r"разглашать|вдаваться)\w*"), st.non_disclosure,
        "agreed not to disclose / cannot disclose / не можем раскрывать", once_per_sentence=True),
    Pattern("agreement", "agreement", _r(
        r"\bit\s+was\s+agreed\b(?!\s+not\b)|\b(?:have\s+|has\s+|had\s+)?agreed\s+(?:to|that|on|upon)\b(?!\s+not\b)|"
        r"\bagreement\s+(?:was|has\s+been|had\s+been)\s+reached\b|\breached\s+(?:an?\s+)?agreement\b|"
        r"\bcame\s+to\s+an?\s+agreement\b|\bдоговорил\w*(?!\s+не\s+(?:раскрыв|разглаш|публик|коммент))|"
        r"\bдоговоренност\w*\s+(?:был\w*\s+)?достигнут\w*|\bдостигл\w*\s+договоренност\w*|\bсогласовал\w*"),
        st.agreement, "it was agreed to … / the parties agreed on … / agreement was reached on some issues "
        "(→ also a position `accepts`) / договорились", once_per_sentence=True),
    # -- stances -----------------------------------------------------------------------------------
    Pattern("no-compromise", "position", _r(
        r"\bno\s+compromise\b|\bcompromise\s+(?:has|had)\s+not\s+(?:yet\s+)?been\s+(?:found|reached)|"
        r"\b(?:not|never)\s+(?:yet\s+)?(?:found|reached)\s+(?:a|any)\s+compromise|"
        r"компромисс\w*\s+(?:пока\s+|ещё\s+|еще\s+)?не\s+(?:найден|достигнут)\w*|"
        r"(?:нет|не\s+нашли|не\s+найдено)\s+(?:пока\s+)?компромисс\w*|компромисс\w*(?:\s+[^\s.,;:]+){0,4}?\s+"
        r"(?:пока\s+|ещё\s+|еще\s+)?нет\b"),
        st.no_compromise, "no compromise has been found (yet) → both sides, on the issue named or under discussion",
        once_per_sentence=True),
    Pattern("open-issues", "position", _r(
        r"\b(?:issues?|questions?|items?|matters?)\s+(?:that\s+)?remain(?:s)?\b|\b(?:open|unresolved|outstanding|"
        r"remaining)\s+(?:issues|questions|items|points)\b|\bsticking\s+points?\b|\bremain(?:s)?\s+(?:open|unresolved)\b|"
        r"\bнерешенн\w*\s+(?:вопрос|проблем)\w*|\bнерешённ\w*\s+(?:вопрос|проблем)\w*|\bостают\w*\s+(?:открытыми|"
        r"нерешенными|нерешёнными)|\bоткрыт\w*\s+вопрос\w*|\bспорн\w*\s+вопрос\w*"), st.open_issues,
        "issues that remain / open questions: A is one of them → both sides no-compromise-yet on A",
        once_per_sentence=True),
    Pattern("acceptable", "position", _r(
        r"(?P<neg>\bunacceptable\b|\bnot\s+acceptable\b|\bcannot\s+accept\b|\bcan't\s+accept\b|\bwill\s+not\s+"
        r"accept\b|\breject(?:s|ed)?\b|\bнеприемлем\w*|\bотверга\w*|\bотвергл\w*)|"
        r"(?P<pos>\bacceptable\b|\b(?:can|could)\s+accept\b|\bприемлем\w*)"), st.acceptable,
        "some proposals seem acceptable / X is unacceptable / rejected → accepts / rejects"),
    Pattern("criticism", "position", _r(
        r"\b(?:faced|drew|met\s+with|came\s+under|received|attracted)\s+(?:some\s+|sharp\s+|strong\s+)?criticism\b|"
        r"\bcritici[sz](?:ed|e|es|ing)\b|\bcritical\s+of\b|\bраскритиковал\w*|\bкритикова\w*|"
        r"\bподверг\w*\s+критике"), st.criticism,
        "others faced criticism → position criticises; X criticised Y (an actor) → assessment criticises"),
    Pattern("readiness", "position", _r(
        r"\b(?:readiness|willingness)\s+(?:for|to)\b|\b(?:are|is|am|were|was)\s+(?:ready|willing|prepared)\s+"
        r"(?:for|to)\b|\b(?:is|are|remains?)\s+open\s+(?:to|for)\b|\bготовност\w*\s+(?:к|на)\b|\bготов[аы]?\s+(?:к|на)\b|"
        r"\bоткрыт[аыо]?\s+(?:для|к)\b"), st.readiness,
        "both sides expressed readiness for … → supports"),
    # -- assessments -------------------------------------------------------------------------------
    Pattern("critical-assessment", "assessment", _r(
        r"\b(?:destructive|negative|unconstructive|counterproductive|provocative|hostile|unfriendly)\s+"
        r"(?:actions?|position|role|stance|behaviou?r|policy|policies|steps|statements|line)\s+of\b|"
        r"\b(?:деструктивн|провокационн|недружественн|негативн)\w*\s+(?:действи|позици|рол|шаг|заявлени)\w*"),
        st.critical_assessment, "the destructive actions of X → X assessed critically (stance criticises)"),
    Pattern("event-assessment", "assessment", _r(
        r"\b(?:the\s+)?(?:meeting|talks|conversation|discussion|negotiations|dialogue)\s+(?:was|were|has\s+been|"
        r"have\s+been)\s+(?:very\s+|quite\s+|rather\s+|extremely\s+|really\s+|highly\s+)?(?:useful|constructive|"
        r"productive|substantive|good|positive|businesslike|frank|successful|difficult|tough|intense|detailed)\b|"
        r"\b(?:this|it|that)\s+(?:was|has\s+been)\s+(?:probably\s+|perhaps\s+|by\s+far\s+)?(?:the|a|an)\s+(?:very\s+|"
        r"most\s+|extremely\s+|really\s+)?(?:useful|constructive|productive|substantive|good|positive|businesslike|"
        r"frank|successful|difficult|meaningful)\s+(?:meeting|session|round|conversation|discussion|day)\b|"
        r"\b(?:встреча|переговоры|беседа|разговор)\s+(?:был\w*\s+|прошл\w*\s+)?(?:очень\s+|весьма\s+|крайне\s+)?"
        r"(?:полезн|конструктивн|продуктивн|содержательн|делов|хорош|позитивн|трудн|сложн|откровенн)\w*"),
        st.event_assessment, "the meeting was useful / constructive / difficult → assessment of the event"),
    Pattern("most-significant", "assessment", _r(
        r"\b(?:the\s+)?most\s+(?:significant|important|sensitive|difficult|pressing|crucial|painful)\s+"
        r"(?:issue|question|topic|problem|matter)\b|\bkey\s+(?:issue|question|problem)\b|"
        r"\bconsidered\s+(?:key|crucial|central|essential)\b|"
        r"(?:сам\w*|наиболее)\s+(?:важн|значим|сложн|чувствительн|болезненн|принципиальн)\w*\s+(?:вопрос|тем|"
        r"проблем)\w*|\bключев\w*\s+(?:вопрос|тем|проблем)\w*"), st.significance,
        "X is the most significant / key issue (for Y) → Y's assessment of issue X"),
    Pattern("answer-most-significant", "assessment", _r(r"\S.*"), st.answer_significance,
        "an answer naming an issue, to «which issue is the most significant (for Y)?»",
        question=_r(r"\bmost\s+(?:significant|important|sensitive|pressing|crucial)\b|\bkey\s+issue\b|"
                    r"(?:сам\w*|наиболее)\s+(?:важн|значим|сложн|чувствительн)\w*|\bключев\w*"),
        first_sentence_only=True),
    Pattern("important-for", "assessment", _r(
        r"\b(?:is|are|was|remains?)\s+(?:very\s+|extremely\s+|most\s+|really\s+|particularly\s+|especially\s+)?"
        r"(?:important|key|crucial|critical|essential|a\s+priority|fundamental)\s+(?:for|to)\s+|"
        r"\b(?:очень\s+|крайне\s+|особенно\s+|принципиально\s+)?важн\w*\s+для\s+"), st.importance,
        "it is very important for us → the speaker's side's assessment of the issue under discussion"),
    # -- expectations and conditions ---------------------------------------------------------------
    Pattern("depends-on", "expectation", _r(
        r"\b(?:will\s+|would\s+|could\s+|may\s+|might\s+)?(?:depends?|depending|hinges?|be\s+conditional)\s+"
        r"(?:on|upon)\b|\b(?:будет\s+)?завис(?:ит|еть|ят|ело|ел)\s+от\b"), x.depends_on,
        "a possible meeting will depend on … → hypothetical expectation with its condition",
        once_per_sentence=True),
    Pattern("important-to", "expectation", _r(
        r"\bfor\s+(?P<goal>[^,.;]{3,60}),\s+it\s+is\s+(?:very\s+|extremely\s+)?(?:important|necessary|essential|"
        r"crucial|vital)\s+(?:to|that)\b|\bдля\s+(?P<goal_ru>[^,.;]{3,60}?),?\s+(?:очень\s+)?(?:важно|необходимо|"
        r"нужно)\b"), lambda c, s, e, m, n: x.important_to(c, s, e, _Folded(m), n),
        "for X, it is important to Y → hypothetical expectation X on condition Y"),
    Pattern("planned-meeting", "expectation", _r(
        r"\b(?:meeting|summit|visit|call|round)(?:\s+[^\s.,;:]+){0,5}?\s+(?:is|was|has\s+been|are)\s+(?:not\s+)?(?:yet\s+)?"
        r"(?:planned|scheduled|expected|being\s+prepared|on\s+the\s+agenda)\b|\bno\s+plans?\s+for\s+(?:a\s+)?(?:meeting|"
        r"summit|visit|call)\b|\b(?:встреч|саммит|визит|разговор|раунд)\w*(?:\s+[^\s.,;:]+){0,4}?\s+(?:пока\s+|уже\s+)?"
        r"(?:не\s+)?(?:запланирован\w*|планиру\w*|ожида\w*|намечен\w*|готовит\w*)"), x.planned_meeting,
        "a meeting is (not) planned / встреча запланирована → expectation (meeting), negated when not"),
    Pattern("answer-assessment", "assessment", _r(r"\S.*"), st.answer_assessment,
        "an answer to «how do you assess X?» (X a person, or the talks) → the speaker's assessment, clause by clause",
        question=_r(r"\bhow\s+(?:do|would|did|will)\s+you\s+(?:assess|evaluate|rate|characteri[sz]e|describe)\b|"
                    r"\bwhat\s+(?:is|was)\s+your\s+(?:assessment|impression|opinion)\b|\bdo\s+you\s+think\b|"
                    r"\bкак\s+(?:вы\s+)?оценива\w*|\bваша\s+оценка|\bкаковы\s+(?:ваши\s+)?впечатления"),
        first_sentence_only=True),
    Pattern("will-continue", "expectation", _r(
        r"\b(?:contacts|talks|negotiations|consultations|the\s+work|work|dialogue|the\s+dialogue|discussions|"
        r"cooperation)\s+(?:will|would|are\s+to|is\s+to|are\s+going\s+to)\s+(?:continue|go\s+on|resume|proceed|"
        r"be\s+continued|be\s+resumed)\b|\bwill\s+(?:continue|resume)\s+(?:the\s+|our\s+|these\s+)?(?:contacts|"
        r"talks|negotiations|dialogue|work|consultations)\b|\bwill\s+continue\s+(?:to\s+(?:work|talk|negotiate|"
        r"engage)|working|talking|negotiating|our\s+(?:work|contacts|efforts))\b|"
        r"\b(?:контакты|переговоры|работа|диалог|консультации)\s+(?:будут\s+|будет\s+)?продолж(?:атся|ится|ены|"
        r"ена|ено)\b|\bпродолж(?:им|ат)\s+(?:контакт|переговор|работ|диалог|консультаци)\w*"),
        x.will_continue, "contacts will continue → future expectation", once_per_sentence=True),
    Pattern("will-do", "expectation", _r(
        r"\b(?:we|they|the\s+(?:colleagues|parties|sides|delegations?|envoys|negotiators)|both\s+sides|our\s+"
        r"(?:colleagues|partners))\s+(?:will|would|are\s+going\s+to|plan\s+to|intend\s+to|are\s+to)\s+(?:also\s+|"
        r"then\s+)?(?P<verb>discuss|contact|meet|report|consider|study|prepare|hold|inform|brief|analy[sz]e|"
        r"examine|respond|reply|get\s+back|review|finali[sz]e)\b|"
        r"\b(?:мы|они|коллеги|стороны|делегации)\s+(?:также\s+)?(?:будут\s+|будем\s+)?(?P<verb_ru>обсуд(?:ят|им)|"
        r"свяж(?:утся|емся)|встрет(?:ятся|имся)|доложат|рассмотр(?:ят|им)|подготов(?:ят|им)|изуч(?:ат|им)|"
        r"проинформируют|ответ(?:ят|им))\b"), lambda c, s, e, m, n: x.will_do(c, s, e, _Folded(m), n),
        "they will discuss … and contact us → future expectation", once_per_sentence=True),
    Pattern("further-work", "expectation", _r(
        r"\b(?:requires?|need(?:s|ed)?|call\s+for)\s+(?:further|more|additional|serious|careful|expert)\s+"
        r"(?:discussion|work|study|consideration|elaboration|negotiation|clarification)\b|"
        r"\bwill\s+(?:ultimately\s+|still\s+|probably\s+|eventually\s+)?(?:require|need)\b|"
        r"\b(?:требу|нужда)\w*\s+(?:в\s+)?(?:дальнейш|дополнительн|серьезн|серьёзн|экспертн)\w*\s+(?:обсужд|"
        r"проработк|доработк|изучени)\w*"), x.further_work,
        "proposals require further discussion → future expectation"),
    Pattern("next-meeting", "expectation", _r(
        r"\b(?:the\s+)?next\s+(?:meeting|round|contact|session|visit)\s+(?:will|would|could|may|might|is\s+"
        r"(?:expected|planned|scheduled|possible)|is\s+to)\b|\bследующ\w*\s+(?:встреч|раунд|контакт|визит)\w*\s+"
        r"(?:состоится|пройдет|пройдёт|может|планируется|ожидается)"), x.next_meeting,
        "the next meeting will / may take place … → expectation (meeting)"),
    Pattern("trip-purpose", "expectation", _r(
        r"\b(?:went|flew|returned|headed|travell?ed|left|go|fly|return)\b[^.;]{0,60}?\b(?P<verb>to\s+(?:report|brief|"
        r"consult|continue|negotiate|hold\s+talks))\b|(?:приед|поед|прилет|вернут|отправ|направ|прибуд|прибыл)\w*"
        r"[^.;]{0,60}?(?P<verb_ru>(?:чтобы|для)\s+(?:доложить|проинформировать|отчитаться|продолжени\w*|проведени\w*|"
        r"обсуждени\w*|переговор\w*|консультаци\w*))"),
        lambda c, s, e, m, n: x.purpose(c, s, e, _Folded(m), n),
        "went to … to report on … → future expectation by the travellers"),
    # -- travel ------------------------------------------------------------------------------------
    Pattern("travel", "travel", _r(
        r"\b(?P<verb>went|go|goes|going|gone|travel(?:l?ed|s|l?ing)?|fl(?:y|ew|own|ying|ies)|head(?:ed|ing|s)?|"
        r"return(?:ed|ing|s)?|come\s+back|came\s+back|coming\s+back|arrive[ds]?|arriving|visit(?:ed|s|ing)?|"
        r"leave\s+for|left\s+for|depart(?:ed|s)?\s+for|be\s+back|get\s+back|got\s+back)\s+(?:back\s+)?"
        r"(?:to\s+|for\s+|in\s+|at\s+|into\s+)?|"
        r"(?P<verb_ru>(?:по|у|при|от|за|вы|пере)?(?:ехал\w*|едут|едет|едем)|(?:от|на)прав(?:ил\w*|ят|ит|им)(?:ся|сь)|"
        r"вернул\w*|вернут(?:ся)?|вернется|вернётся|возвраща\w*|(?:при|у|вы)лет(?:ел\w*|ят|ит|им)|"
        r"посет(?:ил\w*|ят|ит|им)|посеща\w*|прибыл\w*|прибуд\w*|ездил\w*)\s+(?:обратно\s+|снова\s+)?"
        r"(?:в\s+|во\s+|на\s+)?"), lambda c, s, e, m, n: x.travel(c, s, e, _Folded(m), n),
        "went to / will return to / did not promise to go to PLACE; поехали в / вернутся в → travel with "
        "its factuality"),
    # -- messages ----------------------------------------------------------------------------------
    Pattern("message-from", "message", _r(
        r"(?P<what>\b(?:friendly\s+|warm\s+|personal\s+|best\s+)?(?:greetings|wishes|regards|congratulations|"
        r"a\s+message|messages|signals)\b[^.;]{0,40}?|(?:привет\w*|пожелани\w*|сигнал\w*|послани\w*)\s*)"
        r"\b(?:from|от)\s+(?:the\s+)?"), st.message_from,
        "greetings and best wishes from X → message from X to the other side's leader"),
    Pattern("message-convey", "message", _r(
        r"\b(?:asked|requested|instructed)\s+(?:us\s+|him\s+|them\s+|me\s+)?to\s+(?:convey|pass\s+on|transmit|"
        r"deliver|relay)\s+(?P<what>[^.;]{3,80})|"
        r"\b(?:попросил\w*|просил\w*)\s+передать\s+(?P<what_ru>[^.;]{3,80})"),
        lambda c, s, e, m, n: st.message_convey(c, s, e, _Folded(m), n),
        "X asked to convey greetings / signals (to Y) → message from X to Y or the other side's leader"),
]


class _Folded:
    """A match whose Russian groups (`sent_ru`, `n_ru`, …) answer to the English group names, so one
    handler serves both languages."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def _name(self, group: str) -> str:
        if self._m.re.groupindex.get(group) is not None and self._m.group(group) is not None:
            return group
        ru = f"{group}_ru"
        return ru if self._m.re.groupindex.get(ru) is not None and self._m.group(ru) is not None else group

    def group(self, group: int | str, /) -> Any:
        return self._m.group(group if isinstance(group, int) else self._name(group))

    def start(self, group: int | str = 0, /) -> int:
        return self._m.start(group if isinstance(group, int) else self._name(group))

    def end(self, group: int | str = 0, /) -> int:
        return self._m.end(group if isinstance(group, int) else self._name(group))


def find_claims(ctx: ClaimContext) -> list[Claim]:
    """Every claim the patterns find in the statement [ctx.start, ctx.end), deduplicated, in text order."""
    out: list[Claim] = []
    seen: set[tuple[object, ...]] = set()
    spans = sentences(ctx.text, ctx.start, ctx.end)
    for n, (s, e) in enumerate(spans):
        for p in PATTERNS:
            if ctx.kind == "question" and not p.in_questions:
                continue
            if p.first_sentence_only and n > 0:
                continue
            if p.question is not None and (ctx.question is None
                                           or not p.question.search(ctx.text, *ctx.question)):
                continue
            for m in p.regex.finditer(ctx.text, s, e):
                found = p.handler(ctx, s, e, m, p.name)
                for c in found:
                    k = (c.kind, c.start, c.end, repr(sorted(c.fields.items())))
                    if k not in seen:
                        seen.add(k)
                        out.append(c)
                if found and p.once_per_sentence:
                    break
    out.sort(key=lambda c: (c.start, c.end))
    return out
