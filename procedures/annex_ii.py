"""The names of the SDGR Annex II procedures in French and German, beside the English of the OOTS Procedures
code list (which carries English only).

Written after the wording of Annex II of Regulation (EU) 2018/1724 in each language, adapted as the code
list adapts the English (e.g. "Requesting a birth certificate"); owners can reword them in the admin. Used by
the data migration that gives the shipped procedures their names (``procedures`` migration 0004).
"""

from __future__ import annotations

NAMES: dict[str, dict[str, str]] = {
    "R1": {
        "fr": "Demande d'un acte de naissance",
        "de": "Beantragung einer Geburtsurkunde",
    },
    "S1": {
        "fr": "Demande d'une preuve de résidence",
        "de": "Beantragung eines Wohnsitznachweises",
    },
    "T1": {
        "fr": (
            "Demande de financement d'études supérieures, telles que des bourses et des prêts d'études,"
            " auprès d'un organisme public ou d'une institution publique"
        ),
        "de": (
            "Beantragung der Finanzierung eines Hochschulstudiums, z. B. Studienbeihilfen und "
            "-darlehen, bei einer öffentlichen Stelle oder Einrichtung"
        ),
    },
    "T2": {
        "fr": (
            "Introduction d'une première demande d'admission dans un établissement public "
            "d'enseignement supérieur"
        ),
        "de": "Einreichung eines Erstantrags auf Zulassung zu einer öffentlichen Hochschuleinrichtung",
    },
    "T3": {
        "fr": (
            "Demande de reconnaissance académique de diplômes, de certificats ou d'autres preuves "
            "d'études ou de formations"
        ),
        "de": (
            "Beantragung der akademischen Anerkennung von Diplomen, Prüfungszeugnissen oder sonstigen "
            "Studien- oder Ausbildungsnachweisen"
        ),
    },
    "U1": {
        "fr": (
            "Demande de détermination de la législation applicable conformément au titre II du "
            "règlement (CE) nº 883/2004"
        ),
        "de": (
            "Antrag auf Bestimmung der anzuwendenden Rechtsvorschriften gemäß Titel II der Verordnung "
            "(EG) Nr. 883/2004"
        ),
    },
    "U2": {
        "fr": (
            "Notification de changements dans la situation personnelle ou professionnelle de la "
            "personne bénéficiant de prestations de sécurité sociale, pertinents pour ces prestations"
        ),
        "de": (
            "Mitteilung von Änderungen der persönlichen oder beruflichen Umstände der Person, die "
            "Leistungen der sozialen Sicherheit erhält, die für diese Leistungen von Belang sind"
        ),
    },
    "U3": {
        "fr": "Demande de carte européenne d'assurance maladie (CEAM)",
        "de": "Beantragung einer Europäischen Krankenversicherungskarte (EKVK)",
    },
    "U4": {
        "fr": "Dépôt d'une déclaration d'impôt sur le revenu",
        "de": "Abgabe einer Einkommensteuererklärung",
    },
    "V1": {
        "fr": "Enregistrement d'un changement d'adresse",
        "de": "Meldung einer Adressänderung",
    },
    "V2": {
        "fr": (
            "Immatriculation d'un véhicule à moteur provenant d'un État membre ou déjà immatriculé dans"
            " un État membre, dans le cadre de procédures standard"
        ),
        "de": (
            "Zulassung eines Kraftfahrzeugs, das aus einem Mitgliedstaat stammt oder bereits in einem "
            "Mitgliedstaat zugelassen ist, im Standardverfahren"
        ),
    },
    "V3": {
        "fr": (
            "Obtention de vignettes pour l'utilisation de l'infrastructure routière nationale : "
            "redevances fondées sur la durée (vignette), redevances fondées sur la distance (péage), "
            "délivrées par un organisme public ou une institution publique"
        ),
        "de": (
            "Erwerb von Vignetten für die Nutzung der nationalen Straßeninfrastruktur: zeitabhängige "
            "Gebühren (Vignette), streckenabhängige Gebühren (Maut), ausgestellt von einer öffentlichen"
            " Stelle oder Einrichtung"
        ),
    },
    "V4": {
        "fr": (
            "Obtention de vignettes d'émissions délivrées par un organisme public ou une institution publique"
        ),
        "de": "Erwerb von Umweltplaketten, ausgestellt von einer öffentlichen Stelle oder Einrichtung",
    },
    "W1": {
        "fr": "Demande de prestations de retraite et de préretraite au titre de régimes obligatoires",
        "de": "Beantragung von Ruhestands- und Vorruhestandsleistungen aus Pflichtsystemen",
    },
    "W2": {
        "fr": (
            "Demande d'informations sur les données relatives à la retraite au titre de régimes obligatoires"
        ),
        "de": "Beantragung von Auskünften über rentenbezogene Daten aus Pflichtsystemen",
    },
    "X1": {
        "fr": (
            "Notification d'activités commerciales, autorisation d'exercer une activité commerciale, "
            "modifications d'activités commerciales et cessation d'une activité commerciale "
            "n'impliquant pas de procédures d'insolvabilité ou de liquidation, à l'exclusion de "
            "l'enregistrement initial d'une activité commerciale auprès du registre du commerce et à "
            "l'exclusion des procédures relatives à la constitution de sociétés au sens de l'article "
            "54, deuxième alinéa, du TFUE ou à tout dépôt ultérieur de documents par celles-ci"
        ),
        "de": (
            "Anmeldung einer Geschäftstätigkeit, Erlaubnis zur Ausübung einer Geschäftstätigkeit, "
            "Änderungen der Geschäftstätigkeit und Beendigung einer Geschäftstätigkeit ohne Insolvenz- "
            "oder Liquidationsverfahren, mit Ausnahme der Ersteintragung einer Geschäftstätigkeit in "
            "das Unternehmensregister und mit Ausnahme der Verfahren zur Gründung von Gesellschaften im"
            " Sinne von Artikel 54 Absatz 2 AEUV oder zu jeder späteren Einreichung von Unterlagen "
            "durch diese"
        ),
    },
    "X2": {
        "fr": (
            "Inscription d'un employeur (personne physique) auprès des régimes obligatoires de retraite"
            " et d'assurance"
        ),
        "de": (
            "Registrierung eines Arbeitgebers (natürliche Person) bei Pflichtversorgungs- und "
            "Pflichtversicherungssystemen"
        ),
    },
    "X3": {
        "fr": "Inscription de salariés auprès des régimes obligatoires de retraite et d'assurance",
        "de": "Anmeldung von Arbeitnehmern bei Pflichtversorgungs- und Pflichtversicherungssystemen",
    },
    "X4": {
        "fr": "Dépôt d'une déclaration d'impôt sur les sociétés",
        "de": "Abgabe einer Körperschaftsteuererklärung",
    },
    "X5": {
        "fr": (
            "Notification aux régimes de sécurité sociale de la fin du contrat d'un salarié, à "
            "l'exclusion des procédures de licenciement collectif"
        ),
        "de": (
            "Mitteilung des Endes des Vertrags mit einem Arbeitnehmer an die "
            "Sozialversicherungssysteme, ausgenommen Verfahren zur kollektiven Beendigung von "
            "Arbeitsverträgen"
        ),
    },
    "X6": {
        "fr": "Paiement des cotisations sociales pour les salariés",
        "de": "Zahlung von Sozialbeiträgen für Arbeitnehmer",
    },
    "00": {
        "fr": "Procédure de test (tests de production OOTS)",
        "de": "Testverfahren (OOTS-Produktionstests)",
    },
}
