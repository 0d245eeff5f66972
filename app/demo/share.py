"""A realistic demo commune share, to try Besace without touching real records.

The share reads like a town hall's file server: the services' folders, years 2005 to 2025,
real documents of many formats (see `documents.py`), and the mess archivists meet: exact
duplicates, temporary and system files, paths longer than 260 characters, awkward names,
empty files and folders, an extension that lies and files without one.

Everything is planned from the seed first, then written. Each file draws from its own
random generator, so the same seed gives the same paths and the same bytes whether the
files are written by one process or several.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from app.demo.documents import (
    AUTHORS,
    FORMATS_BY_KEY,
    LARGE_BY_KEY,
    SAMPLE_FORMATS,
    make_content,
)
from app.errors import AppError
from app.i18n import _
from app.tasks import CancelToken, Progress, ProgressSink, Throttle

ROOT_NAME = "Mairie de Saint-Exemple-sur-Loire"
FIRST_YEAR = 2005
LAST_YEAR = 2025
LONG_PATH = 260  # Windows' MAX_PATH, which many archiving tools still trip over

# Below this many files (and without a size to reach) one process is faster than a pool.
_SERIAL_MAX_FILES = 2500

# Folder names, as a town hall has them.
DG = "Direction générale"
CM = f"{DG}/Conseil municipal"
FIN = "Finances"
MP = "Marchés publics"
URBA = "Urbanisme"
EC = "État civil"
ELEC = "Élections"
RH = "Ressources humaines"
CCAS = "CCAS"
ST = "Services techniques"
COM = "Communication"
COUR = "Courriers"
SCANS = "Scans"
MARTINE = "Bureau de Martine"
INFO = "Informatique"
ARCH = "Archives"
# Windows silently drops a trailing space from a folder name (NAS shares keep it).
SPACED_FOLDER = " Archives perso " if os.name != "nt" else " Archives perso"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What `generate_demo_share` made; `root` is the share's top folder."""

    root: Path
    files: int
    total_bytes: int
    folders: int
    duplicate_groups: int
    duplicate_files: int  # files whose bytes another file of the share already has
    temp_files: int
    empty_files: int
    empty_folders: int
    long_paths: int  # files and folders whose path from `dest` exceeds 260 characters
    first_year: int
    last_year: int
    formats: tuple[str, ...] = ()  # keys of the sample and large formats written


@dataclass(frozen=True, slots=True)
class _Entry:
    """One file to make. `rel` is relative to `dest`, with "/" separators."""

    rel: str
    when: dt.datetime
    kind: str  # "doc", "large", "raw" or "copy"
    fmt: str = ""
    title: str = ""
    seed: str = ""
    data: bytes = b""
    size: int = 0
    source: str = ""


# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

_DELIBERATIONS = (
    "Vente terrain communal",
    "Tarifs cantine scolaire",
    "Subvention comité des fêtes",
    "Vote du budget primitif",
    "Approbation du compte administratif",
    "Création d'un poste d'adjoint technique",
    "Convention avec le SDIS",
    "Indemnités des élus",
    "Taux d'imposition",
    "Demande de subvention DETR",
    "Adhésion au SIVOS",
    "Dénomination de la rue des Tilleuls",
    "Règlement du cimetière",
    "Décision modificative n°1",
    "Tarifs de la salle des fêtes",
    "Recrutement d'agents recenseurs",
    "Transfert de la compétence eau",
    "Acquisition de la parcelle ZD 45",
    "Modification simplifiée du PLU",
    "Emprunt pour les travaux de l'école",
    "Motion de soutien aux agriculteurs",
    "Rapport sur le prix de l'eau",
)
_ARRETES = (
    "Circulation rue de l'Église",
    "Stationnement jour de marché",
    "Délégation de signature",
    "Permission de voirie",
    "Fermeture temporaire du chemin des Vignes",
    "Péril imminent",
    "Nomination du régisseur",
    "Feu d'artifice du 14 juillet",
    "Débit de boissons temporaire",
    "Alignement individuel",
    "Interdiction de brûlage",
)
_SUPPLIERS = (
    "Orange",
    "EDF Collectivités",
    "Berger-Levrault",
    "Bureau Vallée",
    "SAUR",
    "Veolia Eau",
    "Loire Matériaux",
    "Garage du Centre",
    "Imprimerie du Val",
    "La Poste",
    "SMICTOM",
    "Boulangerie Moreau",
)
_WORKS = (
    "Réfection école",
    "Extension cantine",
    "Rénovation salle des fêtes",
    "Programme voirie",
    "Accessibilité mairie",
    "Éclairage public LED",
    "Restauration église",
    "Aménagement city-stade",
    "Réseau eaux pluviales",
)
_COMPANIES = (
    "Eiffage Route",
    "Colas Centre-Ouest",
    "SARL Bâti-Loire",
    "Menuiserie Durand",
    "Électricité Pasquier",
    "Toitures du Loiret",
    "Paysages & Jardins",
)
_AGENTS = (
    "DUPRÉ Martine",
    "MOREAU Jean-Luc",
    "LEFÈVRE Sophie",
    "GAUTHIER Patrick",
    "ROUSSEAU Nathalie",
    "BÉRARD Hélène",
    "NGUYEN François",
    "MARCHAND Cécile",
    "LE GALL Loïc",
    "FONTAINE Amélie",
    "N'DIAYE Awa",
    "OLIVIER Stéphane",
)
_EVENTS = (
    "Fête de la musique",
    "Repas des aînés",
    "Vœux du maire",
    "Cérémonie du 11 novembre",
    "Brocante",
    "Inauguration city-stade",
    "Marché de Noël",
    "Kermesse école",
)
_SEASONS = ("printemps", "été", "automne", "hiver")
_CORRESPONDENTS = (
    "Préfecture du Loiret",
    "Conseil départemental",
    "Trésorerie de Beaugency",
    "Communauté de communes",
    "M. et Mme Petit",
    "Association des parents d'élèves",
    "SDIS 45",
    "ENEDIS",
    "Architecte des Bâtiments de France",
)
_BUILDINGS = ("École élémentaire", "Salle des fêtes", "Mairie", "Église Saint-Martin", "Atelier")
_ELECTIONS = (
    (2007, "Présidentielle"),
    (2008, "Municipales"),
    (2012, "Législatives"),
    (2014, "Municipales"),
    (2015, "Départementales"),
    (2017, "Présidentielle"),
    (2019, "Européennes"),
    (2020, "Municipales"),
    (2021, "Régionales"),
    (2022, "Législatives"),
    (2024, "Européennes"),
)
_BYTES_PER_FILE = 60_000  # average size of an ordinary demo file (measured, rounded up)
_LARGE_MEAN = 24_000_000  # average size of a large file (by the table below)

# Large files: (kind, share of the bytes, smallest, largest).
_LARGE_MIX = (
    ("scan-tiff", 0.33, 8_000_000, 30_000_000),
    ("recording", 0.20, 20_000_000, 110_000_000),
    ("scan-pdf", 0.25, 2_000_000, 40_000_000),
    ("photo", 0.12, 3_000_000, 9_000_000),
    ("photo-zip", 0.10, 15_000_000, 80_000_000),
)


def _word_owner_file(user: str) -> bytes:
    """The 162-byte "~$" file Word keeps next to an open document: who has it open."""
    ascii_name = user.encode("ascii", "replace")[:53]
    head = bytes([len(ascii_name)]) + ascii_name.ljust(53, b" ")
    wide = user.encode("utf-16-le")[:104]
    return (head + bytes([len(user), 0]) + wide).ljust(162, b"\x00")


def _thumbs_db(rng: random.Random) -> bytes:
    """Bytes shaped like Windows' Thumbs.db (an OLE2 compound file of thumbnails)."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900")
    header += bytes.fromhex("0600000000000000") + rng.randbytes(24)
    return header.ljust(512, b"\xff") + rng.randbytes(512 * rng.randint(8, 40))


def _desktop_ini(rng: random.Random) -> bytes:
    text = (
        "\r\n[.ShellClassInfo]\r\n"
        f"IconResource=C:\\Windows\\System32\\imageres.dll,-{rng.randint(3, 190)}\r\n"
        "[ViewState]\r\nMode=\r\nVid=\r\nFolderType=Documents\r\n"
    )
    return b"\xff\xfe" + text.encode("utf-16-le")


def _ds_store(rng: random.Random) -> bytes:
    return (b"\x00\x00\x00\x01Bud1" + rng.randbytes(2048)).ljust(6148, b"\x00")


# --------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------


class _Planner:
    """Decides every path, date and kind of content from the seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"besace-demo/{seed}")
        self.entries: list[_Entry] = []
        self.by_rel: dict[str, _Entry] = {}
        self.taken: set[str] = set()
        self.empty_folders: dict[str, dt.datetime] = {}
        self.groups: list[list[str]] = []  # intended duplicate groups, by rel path
        self.temp_files = 0
        self.empty_files = 0
        self.counters: Counter[str] = Counter()

    # -- helpers -----------------------------------------------------------------------
    def year(self) -> int:
        """A year, more often a recent one: shares fill up faster than they empty."""
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        return self.rng.choices(years, weights=[4 + y - FIRST_YEAR for y in years])[0]

    def moment(self, year: int, month: int | None = None, day: int | None = None) -> dt.datetime:
        """An office-hours time on a weekday of that year (or month)."""
        rng = self.rng
        when = dt.date(year, month or rng.randint(1, 12), day or rng.randint(1, 28))
        if day is None and when.weekday() >= 5:  # to Friday, or Monday early in the month
            when += dt.timedelta(days=7 - when.weekday() if when.day < 4 else 4 - when.weekday())
        return dt.datetime(
            when.year,
            when.month,
            when.day,
            rng.randint(8, 17),
            rng.randint(0, 59),
            rng.randint(0, 59),
        )

    def _claim(self, folder: str, name: str) -> str:
        """A free path for `name` in `folder`: Windows adds " (2)" when it is taken."""
        stem, dot, suffix = name.rpartition(".")
        if not dot or "/" in suffix or " " in suffix:
            stem, suffix = name, ""
        candidate, number = name, 1
        while f"{folder}/{candidate}".casefold() in self.taken:
            number += 1
            candidate = f"{stem} ({number}).{suffix}" if suffix else f"{name} ({number})"
        rel = f"{folder}/{candidate}"
        self.taken.add(rel.casefold())
        return rel

    def _add(self, entry: _Entry) -> str:
        self.entries.append(entry)
        self.by_rel[entry.rel] = entry
        return entry.rel

    @staticmethod
    def _within(when: dt.datetime) -> dt.datetime:
        """Keep follow-ups (decisions, works) of late files inside the share's years."""
        return min(when, dt.datetime(LAST_YEAR, 12, 31, 17, 30))

    def doc(
        self,
        folder: str,
        stem: str,
        fmt: str,
        when: dt.datetime,
        *,
        extension: str | None = None,
        title: str | None = None,
    ) -> str:
        """A real document of format `fmt` named `stem` + its extension (or `extension`)."""
        ext = FORMATS_BY_KEY[fmt].extension if extension is None else extension
        rel = self._claim(f"{ROOT_NAME}/{folder}", stem + ext)
        seed = f"{self.seed}/{len(self.entries)}"
        title = title or stem.strip()
        return self._add(_Entry(rel, self._within(when), "doc", fmt, title, seed))

    def large(self, folder: str, stem: str, fmt: str, when: dt.datetime, size: int) -> str:
        ext = LARGE_BY_KEY[fmt].extension
        rel = self._claim(f"{ROOT_NAME}/{folder}", stem + ext)
        seed = f"{self.seed}/{len(self.entries)}"
        return self._add(_Entry(rel, when, "large", fmt, stem, seed, size=size))

    def raw(
        self, folder: str, name: str, data: bytes, when: dt.datetime, *, temp: bool = False
    ) -> str:
        self.temp_files += temp
        self.empty_files += not data
        return self._add(_Entry(self._claim(f"{ROOT_NAME}/{folder}", name), when, "raw", data=data))

    def copy(self, source: str, folder: str, name: str | None = None) -> str:
        """An exact copy; Explorer keeps the original's modification time."""
        original = self.by_rel[source]
        rel = self._claim(f"{ROOT_NAME}/{folder}", name or source.rsplit("/", 1)[1])
        for group in self.groups:
            if source in group:
                group.append(rel)
                break
        else:
            self.groups.append([source, rel])
        return self._add(_Entry(rel, original.when, "copy", source=source))

    def empty_folder(self, folder: str, when: dt.datetime) -> None:
        self.empty_folders[f"{ROOT_NAME}/{folder}"] = when

    def text_format(self, year: int) -> str:
        """Word, or OpenOffice in the years a small commune used it, or WordPad."""
        roll = self.rng.random()
        if roll < (0.35 if year < 2012 else 0.1):
            return "odt"
        return "rtf" if roll > 0.98 else "docx"

    def sheet_format(self, year: int) -> str:
        return "ods" if self.rng.random() < (0.35 if year < 2012 else 0.1) else "xlsx"

    def pdf_format(self, year: int) -> str:
        return "pdf17" if year >= 2012 and self.rng.random() < 0.5 else "pdf"

    def photo(self, folder: str, when: dt.datetime, fmt: str = "jpeg-exif") -> str:
        """A camera's photo: "DSC01234.JPG" from the old compact, "IMG_date_time.jpg" since."""
        if when.year < 2013:
            stem = f"DSC{self.number('dsc') + 1200:05d}"
            return self.doc(folder, stem, fmt, when, extension=".JPG")
        return self.doc(folder, f"IMG_{when:%Y%m%d_%H%M%S}", fmt, when)

    def number(self, key: str) -> int:
        self.counters[key] += 1
        return self.counters[key]

    # -- the fixed part: every special case, and one file of every format -----------------
    def specials(self) -> None:
        rng = self.rng
        # Duplicates: a délibération in three places, a photo in two, spreadsheets copied.
        when = self.moment(2019, 3, 12)
        delib = self.doc(
            f"{CM}/Délibérations/2019",
            "Délibération n°2019-045 - Vente terrain communal",
            "pdf",
            when,
        )
        self.copy(delib, f"{COUR}/Départ/2019")
        self.copy(
            delib,
            f"{MARTINE}/Divers",
            "Copie de Délibération n°2019-045 - Vente terrain communal.pdf",
        )
        worksite = f"{ST}/Photos chantiers/2019/2019-06-12 Réfection toiture école"
        photo = self.doc(
            worksite, "IMG_20190612_101523", "jpeg-exif", dt.datetime(2019, 6, 12, 10, 15, 23)
        )
        for second in (31, 48):
            shot = dt.datetime(2019, 6, 12, 10, 16, second)
            self.doc(worksite, f"IMG_{shot:%Y%m%d_%H%M%S}", "jpeg-exif", shot)
        self.copy(photo, f"{COM}/Bulletin municipal/2019/Photos")
        budget = self.doc(f"{FIN}/Budgets/BP 2021", "BP 2021 - vote", "xlsx", self.moment(2021, 3))
        self.copy(budget, f"{MARTINE}/Divers", "BP 2021 - vote (2).xlsx")
        staff = self.doc(
            f"{RH}/Tableau des effectifs",
            "Tableau des effectifs 2020",
            "xlsx",
            self.moment(2020, 1),
        )
        self.copy(staff, f"{MARTINE}/Divers", "Copie de tableau effectifs.xlsx")
        self.copy(staff, f"{MARTINE}/Divers", "Copie de Copie de tableau effectifs (2).xlsx")

        # Temporary and system files.
        when = self.moment(2019, 3, 14)
        self.doc(f"{CM}/Comptes rendus/2019", "Compte rendu CM", "docx", when)
        owner = _word_owner_file("Martine Dupré")
        self.raw(f"{CM}/Comptes rendus/2019", "~$Compte rendu CM.docx", owner, when, temp=True)
        self.raw(worksite, "Thumbs.db", _thumbs_db(rng), self.moment(2019, 6, 12), temp=True)
        self.raw(SCANS, "Thumbs.db", _thumbs_db(rng), self.moment(2023), temp=True)
        self.raw(MARTINE, "desktop.ini", _desktop_ini(rng), self.moment(2016), temp=True)
        self.raw(f"{COM}/Bulletin municipal/2019", ".DS_Store", _ds_store(rng), when, temp=True)
        self.doc(f"{COUR}/Départ/2021", "~WRL0003", "docx", self.moment(2021), extension=".tmp")
        self.temp_files += 1
        budget_2012 = self.moment(2012, 3)
        self.doc(f"{FIN}/Budgets/BP 2012", "budget", "ods", budget_2012)
        lock = (
            f"Martine Dupré,MAIRIE-PC2/martine,MAIRIE-PC2,{budget_2012:%d.%m.%Y %H:%M},"
            "file:///C:/Users/martine/AppData/Roaming/LibreOffice/4;"
        )
        self.raw(
            f"{FIN}/Budgets/BP 2012", ".~lock.budget.ods#", lock.encode(), budget_2012, temp=True
        )

        # Paths longer than 260 characters: folders nested as people name them.
        deep = (
            f"{MP}/2018-06 Aménagement du centre-bourg et de la place de l'Église"
            "/04 - Exécution des travaux et suivi de chantier"
            "/Lot n°3 - Voirie, réseaux divers et aménagements paysagers"
            "/Réunions de chantier - comptes rendus hebdomadaires de l'entreprise"
        )
        for number, day in ((12, 14), (13, 21)):
            self.doc(
                deep,
                f"Compte rendu de la réunion de chantier n°{number} du {day} novembre 2018",
                "pdf",
                self.moment(2018, 11, day),
            )

        # Awkward names.
        project = f"{DG}/Projet « Cœur de bourg » – études"
        self.doc(project, "Note d’opportunité (version 2)", "docx", self.moment(2022, 2))
        self.doc(project, "L'œuvre d'art du rond-point - ça avance", "pdf", self.moment(2022, 5))
        self.doc(
            f"{ST}/Voirie & réseaux", "Compte  rendu  réunion  voirie", "docx", self.moment(2017)
        )
        self.doc(f"{MARTINE}/{SPACED_FOLDER}", "vieux trucs à garder", "txt", self.moment(2009))
        self.doc(
            f"{MARTINE}/{SPACED_FOLDER}", "Épreuves bulletin été 2008", "pdf", self.moment(2008)
        )
        self.doc(
            f"{COUR}/Arrivée/2022/Dossier #12 - Litige voisinage",
            "Courrier de l'avocat",
            "pdf",
            self.moment(2022),
        )
        self.doc(f"{FIN}/Subventions", "Subvention 80 % DETR 2023", "xlsx", self.moment(2023))
        self.doc(f"{URBA}/PLU", "Plan (version définitive) (2)", "pdf", self.moment(2016))
        self.doc(
            f"{URBA}/PLU/Concertation",
            "Compte rendu de la réunion publique d'information sur le projet d'aménagement et de "
            "développement durables du plan local d'urbanisme intercommunal et sur la révision "
            "du zonage d'assainissement",
            "docx",
            self.moment(2015),
        )
        party = dt.datetime(2023, 6, 21, 20, 14, 5)
        self.doc(f"{COM}/Visuels", "Fête de la musique 🎉 2023", "jpeg-exif", party)
        self.doc(f"{COUR}/Arrivée/2020", "Reçu à l'accueil - à traiter", "txt", self.moment(2020))

        # Empty files, empty folders.
        self.raw(f"{MARTINE}/Divers", "Nouveau document texte.txt", b"", self.moment(2018))
        self.raw(SCANS, "Scan_20210412_093112.pdf", b"", dt.datetime(2021, 4, 12, 9, 31, 12))
        self.raw(f"{COUR}/Arrivée/2021", "Document.docx", b"", self.moment(2021))
        self.empty_folder(f"{ST}/Photos chantiers/2024/Nouveau dossier", self.moment(2024))
        self.empty_folder(f"{COUR}/Arrivée/À classer", self.moment(2023))
        self.empty_folder(f"{ELEC}/2026 Municipales", self.moment(2025, 11))
        self.empty_folder(f"{MARTINE}/Nouveau dossier (2)", self.moment(2014))

        # An extension that lies, files without one.
        self.doc(f"{URBA}/PLU", "Plan de zonage", "png", self.moment(2016), extension=".pdf")
        self.doc(INFO, "LISEZMOI", "txt", self.moment(2010), extension="")
        when = dt.datetime(2018, 9, 11, 14, 22, 8)
        self.doc(SCANS, f"Scan_{when:%Y%m%d_%H%M}", "pdf", when, extension="")

        # One of every format, where a commune keeps it.
        self.doc(f"{URBA}/PLU", "PLU - Règlement écrit", "pdf17", self.moment(2016))
        self.doc(f"{URBA}/PLU", "PADD", "odt", self.moment(2014))
        self.doc(f"{URBA}/PLU", "Zonage - planche nord", "tiff", self.moment(2016))
        self.doc(f"{URBA}/PLU", "Présentation réunion publique", "odp", self.moment(2015))
        self.doc(f"{ST}/Cimetière", "Plan du cimetière", "png", self.moment(2011))
        self.doc(f"{ST}/Cimetière", "Concessions", "ods", self.moment(2010))
        self.doc(f"{ST}/Cimetière", "Registre des concessions", "sqlite", self.moment(2019))
        site = f"{COM}/Site internet"
        self.doc(site, "index", "html", self.moment(2021))
        self.doc(site, "actualites", "xml", self.moment(2021))
        self.doc(site, "export-agenda", "json", self.moment(2022))
        self.doc(site, "agenda-conseil", "ics", self.moment(2022))
        self.doc(site, "logo", "svg", self.moment(2018))
        self.doc(site, "favicon", "ico", self.moment(2018))
        self.doc(f"{COM}/Charte graphique", "Logo imprimeur", "eps", self.moment(2012))
        self.doc(f"{COM}/Charte graphique", "Logo", "gif", self.moment(2006))
        self.doc(f"{COM}/Charte graphique", "Bandeau", "bmp", self.moment(2007))
        self.doc(f"{COM}/Réseaux sociaux", "Visuel vœux 2024", "webp", self.moment(2024, 1))
        self.doc(
            f"{COM}/Bulletin municipal/2019", "Présentation maquette", "pptx", self.moment(2019)
        )
        self.doc(f"{ARCH}/Cadastre napoléonien", "Section A - Le Bourg", "jp2", self.moment(2014))
        self.doc(f"{ARCH}/Cadastre napoléonien", "Tableau d'assemblage", "jp2", self.moment(2014))
        self.doc(f"{SCANS}/2017", "Numérisation 0004", "jpeg", self.moment(2017))
        self.doc(f"{INFO}/Sauvegardes", "sauvegarde_2016-12-30", "tar", self.moment(2016, 12, 30))
        self.doc(f"{INFO}/Sauvegardes", "export_logiciel_etat_civil.csv", "gzip", self.moment(2020))
        self.doc(f"{INFO}/Sauvegardes", "journal_2015.csv", "bzip2", self.moment(2015))
        self.doc(f"{INFO}/Sauvegardes", "journal_2023.csv", "xz", self.moment(2023))
        self.doc(INFO, "Inventaire du parc", "csv", self.moment(2022))
        self.doc(INFO, "notes-migration-messagerie", "md", self.moment(2024))
        self.doc(f"{MARTINE}/Divers", "Numéros utiles", "vcf", self.moment(2013))
        self.doc(
            f"{MARTINE}/Divers", "Messagerie vocale 2021-10-04", "wav", self.moment(2021, 10, 4)
        )
        self.doc(f"{MARTINE}/Divers", "Sauvegarde clé USB", "zip", self.moment(2012))
        self.doc(f"{MARTINE}/Divers", "Mails archivés 2011", "mbox", self.moment(2011))
        self.doc(f"{COUR}/Mails/2020", "RE  Dossier de subvention DETR", "eml", self.moment(2020))
        self.doc(f"{COUR}/Départ/2008", "Lettre au sous-préfet", "rtf", self.moment(2008))
        self.doc(
            f"{CM}/Comptes rendus/2010", "Compte rendu CM 08-06-2010", "odt", self.moment(2010, 6)
        )
        missing = {sample.key for sample in SAMPLE_FORMATS} - {e.fmt for e in self.entries}
        if missing:  # a format added to SAMPLE_FORMATS needs a place in the share
            raise RuntimeError(f"formats missing from the demo share: {sorted(missing)}")

    # -- the repeated part: units of work a commune produces -------------------------------
    def unit_deliberations(self, year: int) -> None:
        folder = f"{CM}/Délibérations/{year}"
        for _round in range(self.rng.randint(3, 8)):
            number = self.number(f"delib{year}") + 1
            subject = self.rng.choice(_DELIBERATIONS)
            when = self.moment(year)
            stem = f"Délibération n°{year}-{number:03d} - {subject}"
            self.doc(folder, stem, self.pdf_format(year), when)
            if self.rng.random() < 0.25:
                draft = f"Projet délib {subject.lower()}"
                self.doc(f"{folder}/Projets", draft, self.text_format(year), when)

    def unit_council(self, year: int) -> None:
        when = self.moment(year)
        stamp = f"{when:%d-%m-%Y}"
        self.doc(f"{CM}/Convocations/{year}", f"Convocation CM {stamp}", "pdf", when)
        minutes = f"{CM}/Comptes rendus/{year}"
        self.doc(minutes, f"Compte rendu CM {stamp}", self.text_format(year), when)
        self.doc(minutes, f"Compte rendu CM {stamp}", self.pdf_format(year), when)
        if self.rng.random() < 0.3:
            self.doc(f"{CM}/Commissions", f"Commission finances {stamp}", "docx", when)

    def unit_arretes(self, year: int) -> None:
        for _round in range(self.rng.randint(2, 6)):
            number = self.number(f"arrete{year}") + 1
            stem = f"Arrêté {year}-{number:03d} {self.rng.choice(_ARRETES)}"
            fmt = self.rng.choice((self.pdf_format(year), self.text_format(year)))
            self.doc(f"{DG}/Arrêtés du maire/{year}", stem, fmt, self.moment(year))

    def unit_budget(self, year: int) -> None:
        folder = f"{FIN}/Budgets/BP {year}"
        when = self.moment(year, self.rng.randint(2, 4))
        self.doc(folder, f"BP {year} - vote", self.sheet_format(year), when)
        self.doc(folder, f"BP {year} - maquette", "pdf", when)
        self.doc(folder, f"Note de présentation BP {year}", self.text_format(year), when)
        if year >= 2012 and self.rng.random() < 0.6:
            self.doc(folder, f"BP {year} - présentation", "pptx", when)
        ca = f"{FIN}/Comptes administratifs/CA {year}"
        when = self.moment(year, self.rng.randint(4, 6))
        self.doc(ca, f"CA {year}", self.sheet_format(year), when)
        self.doc(ca, f"Compte de gestion {year}", "pdf", when)

    def unit_invoices(self, year: int) -> None:
        month = self.rng.randint(1, 12)
        folder = f"{FIN}/Factures/{year}/{month:02d}"
        for _round in range(self.rng.randint(3, 9)):
            supplier = self.rng.choice(_SUPPLIERS)
            stem = f"Facture {supplier} {self.rng.randint(10000, 99999)}"
            self.doc(folder, stem, "pdf", self.moment(year, month))
        if self.rng.random() < 0.3:
            self.doc(folder, f"Mandats {month:02d}-{year}", "csv", self.moment(year, month))

    def unit_market(self, year: int) -> None:
        month = self.rng.randint(1, 12)
        base = f"{MP}/{year}-{month:02d} {self.rng.choice(_WORKS)}"
        start = self.moment(year, month)
        self.doc(f"{base}/DCE", "CCAP", "docx", start)
        self.doc(f"{base}/DCE", "Règlement de consultation", "pdf", start)
        for lot in range(1, self.rng.randint(2, 4)):
            self.doc(f"{base}/DCE", f"DPGF lot {lot}", "xlsx", start)
        self.doc(f"{base}/DCE/Plans", "Plan masse", "png", start)
        for company in self.rng.sample(_COMPANIES, self.rng.randint(2, 4)):
            self.doc(f"{base}/Offres", f"Offre {company}", "zip", start + dt.timedelta(days=30))
        later = start + dt.timedelta(days=45)
        self.doc(f"{base}/Analyse", "Rapport d'analyse des offres", "docx", later)
        self.doc(f"{base}/Notification", "Acte d'engagement signé", "pdf", later)
        for number in range(1, self.rng.randint(2, 5)):
            when = later + dt.timedelta(days=20 * number)
            self.doc(f"{base}/Exécution", f"OS n°{number}", "pdf", when)
            self.photo(f"{base}/Exécution/Photos", when)

    def unit_permit(self, year: int) -> None:
        number = self.number(f"pc{year}")
        kind = "PC" if self.rng.random() < 0.55 else "DP"
        parent = "Permis de construire" if kind == "PC" else "Déclarations préalables"
        folder = f"{URBA}/{parent}/{year}/{kind} 045 123 {year % 100:02d} {number:05d}"
        when = self.moment(year)
        self.doc(folder, f"Demande {kind}", "pdf", when)
        self.doc(folder, f"{kind}MI1 Plan de situation", self.rng.choice(("png", "tiff")), when)
        self.doc(folder, f"{kind}MI2 Plan de masse", "png", when)
        if kind == "PC":
            self.doc(folder, "Avis ABF", "pdf", when + dt.timedelta(days=25))
            self.doc(folder, "Récépissé de dépôt", "pdf", when)
        decision = when + dt.timedelta(days=self.rng.randint(30, 90))
        self.doc(folder, f"Arrêté accordant le {kind}", self.pdf_format(year), decision)
        for _round in range(self.rng.randint(0, 3)):
            shot = when + dt.timedelta(minutes=self.rng.randint(1, 60))
            self.photo(f"{folder}/Photos terrain", shot)

    def unit_certificates(self, year: int) -> None:
        for _round in range(self.rng.randint(2, 6)):
            number = self.number(f"cu{year}")
            stem = f"CUa 045 123 {year % 100:02d} {number:05d}"
            self.doc(f"{URBA}/Certificats d'urbanisme/{year}", stem, "pdf", self.moment(year))

    def unit_civil_status(self, year: int) -> None:
        register = self.rng.choice(("Naissances", "Mariages", "Décès", "Reconnaissances"))
        for _round in range(self.rng.randint(2, 6)):
            number = self.number(f"{register}{year}")
            stem = f"Acte {register.lower()} {year}-{number:03d}"
            self.doc(f"{EC}/{register}/{year}", stem, "pdf", self.moment(year))
        if self.rng.random() < 0.3:
            self.doc(f"{EC}/Mentions", f"Avis de mention {year}", "odt", self.moment(year))

    def unit_election(self, year: int) -> None:
        matches = [kind for y, kind in _ELECTIONS if y == year]
        if not matches:
            stem = f"Liste électorale {year}"
            fmt = self.rng.choice(("csv", "ods", "xlsx"))
            self.doc(f"{ELEC}/Listes électorales", stem, fmt, self.moment(year, 3))
            return
        folder = f"{ELEC}/{year} {matches[0]}"
        when = self.moment(year, 5)
        for office in range(1, self.rng.randint(2, 4)):
            self.doc(folder, f"Procès-verbal bureau {office}", "pdf", when)
            self.doc(folder, f"Liste d'émargement bureau {office}", "pdf", when)
        self.doc(folder, "Résultats", self.sheet_format(year), when)
        self.doc(folder, "Composition des bureaux de vote", self.text_format(year), when)

    def unit_agent(self, year: int) -> None:
        agent = self.rng.choice(_AGENTS)
        folder = f"{RH}/Dossiers agents/{agent}"
        self.doc(
            folder, f"Entretien professionnel {year}", self.text_format(year), self.moment(year, 11)
        )
        if self.rng.random() < 0.5:
            stem = f"Arrêté avancement d'échelon {year}"
            self.doc(folder, stem, "pdf", self.moment(year))
        if self.rng.random() < 0.2:
            self.doc(folder, "Fiche de poste", self.text_format(year), self.moment(year))
        if self.rng.random() < 0.4:
            month = self.rng.randint(1, 12)
            payroll = f"{RH}/Paie/{year}"
            self.doc(
                payroll, f"Journal de paie {month:02d}-{year}", "pdf", self.moment(year, month)
            )
            if self.rng.random() < 0.5:
                self.doc(payroll, f"Export DSN {month:02d}-{year}", "xml", self.moment(year, month))

    def unit_ccas(self, year: int) -> None:
        when = self.moment(year)
        board = f"{CCAS}/Conseil d'administration/{year}"
        self.doc(board, f"CR CA CCAS {when:%d-%m-%Y}", self.text_format(year), when)
        meal = f"{CCAS}/Repas des aînés/{year}"
        if self.rng.random() < 0.5:
            self.doc(
                meal, f"Inscriptions repas {year}", self.sheet_format(year), self.moment(year, 10)
            )
            self.doc(meal, f"Menu repas des aînés {year}", "pdf", self.moment(year, 11))
            for _round in range(self.rng.randint(1, 4)):
                shot = self.moment(year, 12)
                self.photo(f"{meal}/Photos", shot)
        else:
            number = self.number(f"aide{year}")
            stem = f"Demande d'aide facultative {year}-{number:02d}"
            self.doc(f"{CCAS}/Aides facultatives/{year}", stem, "pdf", when)

    def unit_worksite_photos(self, year: int) -> None:
        when = self.moment(year)
        folder = f"{ST}/Photos chantiers/{year}/{when:%Y-%m-%d} {self.rng.choice(_WORKS)}"
        for _round in range(self.rng.randint(3, 9)):
            when += dt.timedelta(seconds=self.rng.randint(10, 600))
            self.photo(folder, when)
        if self.rng.random() < 0.25:
            self.raw(folder, "Thumbs.db", _thumbs_db(self.rng), when, temp=True)

    def unit_technical(self, year: int) -> None:
        building = self.rng.choice(_BUILDINGS)
        folder = f"{ST}/Bâtiments/{building}"
        fmt = self.rng.choice(("pdf", "pdf", "tiff", "png"))
        self.doc(folder, f"Contrôle électrique {year}", "pdf", self.moment(year))
        if fmt != "pdf":
            self.doc(folder, f"Plan {building.lower()} {year}", fmt, self.moment(year))
        road = f"{ST}/Voirie/{year}"
        company = self.rng.choice(_COMPANIES)
        self.doc(road, f"Devis {company}", "pdf", self.moment(year))
        if self.rng.random() < 0.4:
            self.doc(road, f"Métré {company}", self.sheet_format(year), self.moment(year))

    def unit_bulletin(self, year: int) -> None:
        season = self.rng.choice(_SEASONS)
        folder = f"{COM}/Bulletin municipal/{year}"
        when = self.moment(year)
        self.doc(folder, f"Bulletin {season} {year}", "pdf17", when)
        self.doc(folder, f"Maquette bulletin {season} {year}", self.text_format(year), when)
        self.doc(folder, f"Édito du maire {season} {year}", self.text_format(year), when)
        for _round in range(self.rng.randint(1, 4)):
            shot = self.moment(year)
            self.photo(f"{folder}/Photos", shot, self.rng.choice(("jpeg-exif", "jpeg")))
        if self.rng.random() < 0.3:
            event = self.rng.choice(_EVENTS)
            fmt = self.rng.choice(("webp", "png", "gif", "jpeg"))
            self.doc(f"{COM}/Visuels", f"Affiche {event} {year}", fmt, self.moment(year))

    def unit_mail(self, year: int) -> None:
        for _round in range(self.rng.randint(2, 6)):
            who = self.rng.choice(_CORRESPONDENTS)
            when = self.moment(year)
            roll = self.rng.random()
            if roll < 0.35:
                self.doc(f"{COUR}/Arrivée/{year}", f"Courrier {who} {when:%d-%m-%Y}", "pdf", when)
            elif roll < 0.7:
                fmt = self.text_format(year)
                self.doc(f"{COUR}/Départ/{year}", f"Lettre à {who}", fmt, when)
            else:
                # Outlook drops the colon of "RE:" when saving: Windows forbids it in names.
                subject = self.rng.choice(("RE  ", "TR  ", "")) + self.rng.choice(_DELIBERATIONS)
                self.doc(f"{COUR}/Mails/{year}", subject, "eml", when)

    def unit_scans(self, year: int) -> None:
        when = self.moment(year)
        if self.rng.random() < 0.35:
            # A real scan: one JPEG page in a PDF, a few hundred kilobytes.
            size = self.rng.randint(50_000, 400_000)
            self.large(f"{SCANS}/{year}", f"Scan_{when:%Y%m%d_%H%M%S}", "scan-pdf", when, size)
        else:
            fmt = self.rng.choice(("tiff", "jpeg", "pdf", "bmp" if year < 2010 else "pdf"))
            self.doc(f"{SCANS}/{year}", f"Scan_{when:%Y%m%d_%H%M%S}", fmt, when)

    def unit_martine(self, year: int) -> None:
        folder = self.rng.choice(
            (f"{MARTINE}/Divers", f"{MARTINE}/à trier", f"{MARTINE}/vieux", f"{MARTINE}/Perso")
        )
        stem, fmt = self.rng.choice(
            (
                (f"planning congés {year}", self.sheet_format(year)),
                ("à faire", "txt"),
                (f"Réunion {year}", "ics"),
                ("Recette galette des rois", "docx"),
                (f"notes {year}", "txt"),
                (f"Pot de départ {self.rng.choice(AUTHORS)}", "jpeg-exif"),
                ("Modèle courrier", self.text_format(year)),
                (f"Tableau de bord {year}", "xlsx"),
            )
        )
        self.doc(folder, stem, fmt, self.moment(year))

    def regular(self, target: int) -> None:
        """Add units until the plan holds about `target` files."""
        units: Sequence[tuple[Callable[[int], None], int]] = (
            (self.unit_deliberations, 8),
            (self.unit_council, 6),
            (self.unit_arretes, 6),
            (self.unit_budget, 3),
            (self.unit_invoices, 8),
            (self.unit_market, 2),
            (self.unit_permit, 8),
            (self.unit_certificates, 3),
            (self.unit_civil_status, 5),
            (self.unit_election, 2),
            (self.unit_agent, 6),
            (self.unit_ccas, 4),
            (self.unit_worksite_photos, 6),
            (self.unit_technical, 4),
            (self.unit_bulletin, 3),
            (self.unit_mail, 10),
            (self.unit_scans, 5),
            (self.unit_martine, 4),
        )
        functions = [unit for unit, _ in units]
        weights = [weight for _, weight in units]
        while len(self.entries) < target:
            self.rng.choices(functions, weights)[0](self.year())

    def more_duplicates(self, count: int) -> None:
        """Copies people make: to their desk, to the mail out, "Copie de ..." in place."""
        sources = [e for e in self.entries if e.kind == "doc" and not e.rel.endswith(".tmp")]
        for entry in self.rng.sample(sources, max(0, min(count, len(sources)))):
            name = entry.rel.rsplit("/", 1)[1]
            folder = entry.rel.rsplit("/", 1)[0].removeprefix(ROOT_NAME + "/")
            roll = self.rng.random()
            if entry.fmt in ("jpeg-exif", "jpeg"):
                self.copy(entry.rel, f"{COM}/Photothèque/{entry.when.year}")
            elif roll < 0.4:
                self.copy(entry.rel, f"{MARTINE}/à trier")
            elif roll < 0.7:
                self.copy(entry.rel, folder, f"Copie de {name}")
            else:
                self.copy(entry.rel, f"{COUR}/Départ/{entry.when.year}")

    def recording(self, size: int, when: dt.datetime | None = None) -> str:
        """The sound recording of a council meeting, of exactly `size` bytes."""
        when = when or self.moment(self.year())
        folder = f"{CM}/Enregistrements des séances/{when.year}"
        return self.large(folder, f"Séance du {when:%d-%m-%Y}", "recording", when, size)

    def large_files(self, budget: int) -> None:
        """Big scans, recordings and photo archives until about `budget` bytes."""
        rng = self.rng
        kinds = [kind for kind, _, _, _ in _LARGE_MIX]
        weights = [share / ((low + high) / 2) for _, share, low, high in _LARGE_MIX]
        bounds = {kind: (low, high) for kind, _, low, high in _LARGE_MIX}
        first_photo: str | None = None
        while budget > 500_000:
            kind = rng.choices(kinds, weights)[0]
            low, high = bounds[kind]
            size = min(budget, rng.randint(low, high))
            year = self.year()
            when = self.moment(year)
            if kind == "scan-tiff":
                old = rng.randint(1880, 1950)
                folder = f"{ARCH}/Numérisation état civil/Registre des naissances {old}"
                stem = f"page {self.number(f'page{old}'):03d}"
            elif kind == "recording":
                self.recording(size, when)
                budget -= size
                continue
            elif kind == "scan-pdf":
                folder, stem = rng.choice(
                    (
                        (f"{SCANS}/{year}", f"Scan_{when:%Y%m%d_%H%M%S}"),
                        (f"{CM}/Registres", f"Registre des délibérations {year}"),
                        (f"{EC}/Tables décennales", f"Tables décennales {year} scan"),
                        (f"{URBA}/Dossiers scannés/{year}", f"Dossier PC {self.number('scanpc')}"),
                    )
                )
            elif kind == "photo":
                folder = f"{COM}/Photothèque/{year}/{rng.choice(_EVENTS)}"
                stem = f"IMG_{when:%Y%m%d_%H%M%S}"
            else:
                folder = f"{COM}/Photothèque/Archives"
                stem = f"{rng.choice(_EVENTS)} {year}"
            rel = self.large(folder, stem, kind, when, size)
            if kind == "photo" and first_photo is None:
                first_photo = rel
            budget -= size
        if first_photo is not None:
            self.copy(first_photo, f"{MARTINE}/Photos")


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _os_path(dest: str, rel: str) -> Path:
    """The path to open; long Windows paths need the extended-length prefix."""
    path = os.path.join(dest, *rel.split("/"))
    if os.name == "nt" and len(path) >= 240:
        path = "\\\\?\\" + os.path.abspath(path)
    return Path(path)


def _write_entry(dest: str, entry: _Entry) -> int:
    """Write one planned file (not a copy) and return its size."""
    path = _os_path(dest, entry.rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    if entry.kind == "raw":
        path.write_bytes(entry.data)
        return len(entry.data)
    rng = random.Random(entry.seed)
    content = make_content(rng, entry.title, entry.when.year, date=entry.when.date())
    if entry.kind == "large":
        LARGE_BY_KEY[entry.fmt].write(path, content, rng, entry.size)
    else:
        FORMATS_BY_KEY[entry.fmt].write(path, content, rng)
    return path.stat().st_size


def _write_batch(dest: str, entries: list[_Entry]) -> list[int]:
    return [_write_entry(dest, entry) for entry in entries]


def _batches(entries: Sequence[_Entry]) -> Iterator[list[_Entry]]:
    """Work for one worker call: large files alone, small ones by the few dozen."""
    batch: list[_Entry] = []
    for entry in entries:
        if entry.kind == "large" and entry.size > 2_000_000:
            yield [entry]
            continue
        batch.append(entry)
        if len(batch) >= 40:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    """Writes planned entries in this process or a pool, reporting and honouring cancel."""

    def __init__(
        self,
        dest: Path,
        workers: int,
        token: CancelToken | None,
        progress: ProgressSink | None,
        total: int,
        bytes_total: int,
    ) -> None:
        self.dest = str(dest)
        self.workers = workers
        self.token = token
        self.report = Throttle(progress) if progress is not None else None
        self.total = total
        self.bytes_total = bytes_total
        self.sizes: dict[str, int] = {}
        self.bytes_done = 0
        self.started = time.monotonic()
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Writer:
        if self.workers > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _check(self) -> None:
        if self.token is not None:
            self.token.raise_if_cancelled()

    def _done(self, entries: Sequence[_Entry], sizes: Sequence[int]) -> None:
        for entry, size in zip(entries, sizes, strict=True):
            self.sizes[entry.rel] = size
            self.bytes_done += size
        if self.report is not None and entries:
            self.report(
                Progress(
                    len(self.sizes),
                    max(self.total, len(self.sizes)),
                    _("Writing the demo share"),
                    bytes_done=self.bytes_done,
                    bytes_total=max(self.bytes_total, self.bytes_done),
                    elapsed=time.monotonic() - self.started,
                    current=entries[-1].rel,
                )
            )

    def write(self, entries: Sequence[_Entry]) -> None:
        try:
            if self.pool is None:
                for entry in entries:
                    self._check()
                    self._done([entry], [_write_entry(self.dest, entry)])
            else:
                self._write_pooled(self.pool, entries)
        except (OSError, BrokenProcessPool) as exc:
            raise AppError(
                _("The demo share could not be written in {path}.").format(path=self.dest),
                details=str(exc),
            ) from exc

    def _write_pooled(self, pool: ProcessPoolExecutor, entries: Sequence[_Entry]) -> None:
        pending = _batches(entries)
        in_flight: dict[Future[list[int]], list[_Entry]] = {}
        while True:
            self._check()
            while len(in_flight) < self.workers * 3:
                batch = next(pending, None)
                if batch is None:
                    break
                in_flight[pool.submit(_write_batch, self.dest, batch)] = batch
            if not in_flight:
                return
            finished, _unused = wait(in_flight, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                self._done(in_flight.pop(future), future.result())

    def write_plan(self, entries: Sequence[_Entry]) -> None:
        """Write new files, then the copies (their originals are written by then)."""
        self.total = max(self.total, len(self.sizes) + len(entries))
        self.write([entry for entry in entries if entry.kind != "copy"])
        for entry in entries:
            if entry.kind == "copy":
                self.copy(entry)

    def finish(self) -> None:
        if self.report is not None:
            self.report(
                Progress(
                    len(self.sizes),
                    len(self.sizes),
                    _("Dating files and folders"),
                    bytes_done=self.bytes_done,
                    bytes_total=self.bytes_done,
                    elapsed=time.monotonic() - self.started,
                ),
                force=True,
            )

    def copy(self, entry: _Entry) -> None:
        self._check()
        target = _os_path(self.dest, entry.rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(_os_path(self.dest, entry.source), target)
        except OSError as exc:
            raise AppError(
                _("The demo share could not be written in {path}.").format(path=self.dest),
                details=str(exc),
            ) from exc
        self._done([entry], [self.sizes[entry.source]])


def _set_times(dest: Path, entries: Sequence[_Entry], empty_folders: dict[str, dt.datetime]) -> int:
    """Date files, then folders from the deepest: a folder is as recent as its newest item.

    Returns the number of folders.
    """
    folder_times: dict[str, dt.datetime] = {}

    def touch_parents(rel: str, when: dt.datetime) -> None:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in folder_times or folder_times[folder] < when:
                folder_times[folder] = when

    for entry in entries:
        stamp = entry.when.timestamp()
        os.utime(_os_path(str(dest), entry.rel), (stamp, stamp))
        touch_parents(entry.rel, entry.when)
    for folder, when in empty_folders.items():
        _os_path(str(dest), folder).mkdir(parents=True, exist_ok=True)
        folder_times.setdefault(folder, when)
        touch_parents(folder, when)
    for folder in sorted(folder_times, key=lambda f: f.count("/"), reverse=True):
        stamp = folder_times[folder].timestamp()
        os.utime(_os_path(str(dest), folder), (stamp, stamp))
    return len(folder_times)


def _prepare(dest: Path) -> Path:
    dest = Path(os.path.abspath(dest))
    if dest.exists():
        if not dest.is_dir():
            raise AppError(_("{path} is a file, not a folder.").format(path=dest))
        if any(dest.iterdir()):
            raise AppError(_("The folder {path} is not empty.").format(path=dest))
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(
            _("The folder {path} cannot be created.").format(path=dest), details=str(exc)
        ) from exc
    return dest


def minimum_files(seed: int = 2026) -> int:
    """How many files the special cases alone make: fewer cannot be asked for."""
    planner = _Planner(seed)
    planner.specials()
    return len(planner.entries)


def generate_demo_share(
    dest: Path,
    *,
    files: int = 800,
    total_bytes: int = 0,
    seed: int = 2026,
    token: CancelToken | None = None,
    progress: ProgressSink | None = None,
    workers: int | None = None,
) -> DemoSummary:
    """Write a demo commune share of about `files` files (and `total_bytes`) in `dest`.

    `dest` must be empty or missing; the share is its folder `ROOT_NAME`. `workers` is the
    number of writing processes (default: one for a small share, else up to four).
    """
    dest = _prepare(dest)
    planner = _Planner(seed)
    planner.specials()
    expected_large = max(0, total_bytes - files * _BYTES_PER_FILE) // _LARGE_MEAN
    copies = max(0, files // 50)
    planner.regular(files - copies - expected_large)
    planner.more_duplicates(files - len(planner.entries) - expected_large)
    if workers is None:
        small = files <= _SERIAL_MAX_FILES and total_bytes == 0
        workers = 1 if small else max(1, min(os.cpu_count() or 1, 4))

    expected = len(planner.entries) + expected_large
    with _Writer(dest, workers, token, progress, expected, total_bytes) as writer:
        writer.write_plan(planner.entries)
        if total_bytes > writer.bytes_done:
            already = len(planner.entries)
            planner.large_files(total_bytes - writer.bytes_done)
            writer.write_plan(planner.entries[already:])
        if total_bytes > writer.bytes_done:
            # Scans and photos land near their planned size, not on it: a recording,
            # whose size is exact, makes sure the share is at least as big as asked.
            already = len(planner.entries)
            planner.recording(max(1_000_000, total_bytes - writer.bytes_done + 1))
            writer.write_plan(planner.entries[already:])
        writer.finish()
        sizes = writer.sizes
    folders = _set_times(dest, planner.entries, planner.empty_folders)
    years = [e.when.year for e in planner.entries]
    rels = [e.rel for e in planner.entries] + list(planner.empty_folders)
    return DemoSummary(
        root=dest / ROOT_NAME,
        files=len(planner.entries),
        total_bytes=sum(sizes.values()),
        folders=folders,
        duplicate_groups=len(planner.groups),
        duplicate_files=sum(len(group) - 1 for group in planner.groups),
        temp_files=planner.temp_files,
        empty_files=planner.empty_files,
        empty_folders=len(planner.empty_folders),
        long_paths=sum(len(rel) > LONG_PATH for rel in rels),
        first_year=min(years),
        last_year=max(years),
        formats=tuple(sorted({e.fmt for e in planner.entries if e.fmt})),
    )
