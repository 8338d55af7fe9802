"""A small library for the tests of batch functions: books whose authors are loaded all at once.

`Book.author` is a batch function: one call for every book of a query, with an error of its
own for a book whose author is unknown. `Book.shelf` answers one result too few, as a faulty
batch function would. `AUTHOR_CALLS` holds how many books each call of `Book.author` got.
"""

from __future__ import annotations

from dataclasses import dataclass

from servey_cdk import WEB_GET, NotFound, action

AUTHORS = {1: "Ursula K. Le Guin", 2: "Italo Calvino"}
AUTHOR_CALLS: list[int] = []


@dataclass
class Author:
    author_id: int
    name: str


@dataclass
class Book:
    title: str
    author_id: int

    @action(batch=True, batch_size=25)
    @staticmethod
    def author(books: list[Book]) -> list[Author | NotFound]:
        """Each book's author, all looked up in one call."""
        AUTHOR_CALLS.append(len(books))
        return [
            Author(book.author_id, AUTHORS[book.author_id])
            if book.author_id in AUTHORS
            else NotFound(f"no author {book.author_id}")
            for book in books
        ]

    @action(batch=True)
    @staticmethod
    def shelf(books: list[Book]) -> list[str | None]:
        """One shelf fewer than there are books: a batch function that miscounts."""
        return [book.title[0] for book in books[1:]]


@action(triggers=WEB_GET)
def books() -> list[Book]:
    """Three books, the last by an author the library does not know."""
    return [Book("The Dispossessed", 1), Book("Invisible Cities", 2), Book("Unknown", 9)]
