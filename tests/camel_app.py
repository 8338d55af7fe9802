"""A small app whose GraphQL fields are in camelCase: books with chapters, a nested field, a batch
function, an input type and a field of JSON whose keys are the app's data, never renamed."""

from __future__ import annotations

from dataclasses import dataclass, field

from servey_cdk import WEB_GET, WEB_POST, Example, GraphQLSettings, action

graphql = GraphQLSettings(field_names="camelCase")


@dataclass
class Chapter:
    chapter_title: str
    page_count: int
    word_counts: dict[str, int] = field(default_factory=dict)  # AWSJSON: its keys are data


@dataclass
class Book:
    book_title: str
    author_id: int
    chapters: list[Chapter] = field(default_factory=list)

    @action
    def page_total(self) -> int:
        return sum(chapter.page_count for chapter in self.chapters)

    @action(batch=True)
    @staticmethod
    def author_name(books: list[Book]) -> list[str]:
        return [f"author {book.author_id}" for book in books]


@dataclass
class NewBook:
    book_title: str
    author_id: int


SHELF = [
    Book("The Left Hand", 1, [Chapter("first_light", 10, {"snow_days": 3}), Chapter("two", 5)]),
    Book("Cities", 2, [Chapter("one", 7)]),
]


@action(
    triggers=WEB_GET,
    examples=Example(
        "cities", {"author_id": 2, "title_prefix": "Ci"}, [Book("Cities", 2, [Chapter("one", 7)])]
    ),
)
def find_books(author_id: int, title_prefix: str = "") -> list[Book]:
    return [
        book for book in SHELF if book.author_id == author_id and book.book_title.startswith(title_prefix)
    ]


@action(triggers=WEB_POST)
def add_book(new_book: NewBook, first_chapter: str | None = None) -> Book:
    chapters = [Chapter(first_chapter, 1)] if first_chapter else []
    return Book(new_book.book_title, new_book.author_id, chapters)
