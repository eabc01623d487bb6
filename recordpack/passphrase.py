"""Passphrases: generated ones that are strong and easy to read aloud, and a judge of chosen ones.

A generated passphrase is :data:`WORDS_PER_PASSPHRASE` words drawn with
:mod:`secrets` from a built-in list of common, concrete English words (no
package installed here ships a word list). 7 words from 436 give about 61
bits, and age's scrypt (work factor 2^18) makes every guess slow.

A passphrase a person chose (typed, or from a file or an environment variable)
is judged by zxcvbn, a well-kept estimator of how many guesses an attacker
needs (it knows common passwords, names, dates, keyboard patterns and
substitutions like ``p@ssw0rd``). A bundle can be copied and attacked offline
for as long as the attacker likes, so only zxcvbn's top score is accepted:
"strong protection from an offline slow-hash attack", at least 10^10 guesses.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from recordpack.errors import InputError, UsageError

#: zxcvbn's score (0-4) a chosen passphrase must reach.
MIN_SCORE: Final = 4
#: zxcvbn judges at most this many characters (a longer passphrase only gets stronger).
_ZXCVBN_MAX_LENGTH: Final = 72

#: Words in a generated passphrase.
WORDS_PER_PASSPHRASE: Final = 7

#: Lower-case words of 3 to 10 letters, all distinct.
_WORD_TEXT: Final = """
acorn actor adult agent alarm album alley amber anchor angle ankle apple apricot apron arena
armor arrow atlas attic audio autumn award bacon badge badger bagel baker bamboo banana
banjo barrel basil basket beach beacon beard beaver beetle bell bench berry bicycle bishop
blanket blossom bonnet border bottle bounce bowl bracelet branch brave bread breakfast
breeze brick bridge bright brook broom brother bubble bucket buckle buffalo bundle butter
buttercup button cabbage cabin cable cactus camel camera canal candle candy canoe canvas
canyon captain carbon cardinal carpet carrot cashew castle cattle cedar cellar cello cereal
chair chalk channel chapel cheetah cherry chess chestnut chicken chimney cinnamon circle
citrus clam cliff clock cloud clover coach coast cobalt cocoa coconut coffee comet cookie
copper coral cottage cotton cousin coyote cradle cranberry crane crayon creek cricket crown
crystal cupboard cupcake curtain cushion dagger daisy dancer danger deer desert desk diamond
dinner doctor dolphin donkey dragon dragonfly drawer dream drum duck dune eagle earth easel
echo elbow elephant ember emerald engine fabric falcon farmer feather fence fern ferry
fiddle field fig finger flute forest forge fossil fountain fox frost gallery garden garlic
garnet gentle giant ginger giraffe glacier glider glove goblet goose gorilla grape gravel
guitar hammer hamster harbor harp harvest hazel hedge helmet heron hiking hippo hollow honey
horse hunter igloo iris island ivory jacket jaguar jasmine jelly jewel jungle kayak kettle
kitten kiwi koala ladder lagoon lake lamb lantern laptop lemon lemonade leopard letter
lettuce lighthouse lilac lily lime linen lion lizard llama lobster locket lotus lunar magnet
mammoth mango maple marble marigold marsh meadow melon meteor mint mirror mitten monkey
moose morning moss mountain muffin museum narwhal needle nest noodle nutmeg oak oatmeal
ocean octopus olive onion orange orbit orchard ostrich otter owl oyster paddle palace
pancake panda panther papaya paper parrot parsley pasta pasture peach peanut pearl pebble
pelican pencil penguin pepper petal piano pickle pigeon pillow pilot pine pirate pizza
planet plaza plum pocket poem pony poppy potato prairie puffin pumpkin puzzle quail quartz
quiet quilt rabbit raccoon radio radish rain raisin raven reindeer ribbon ripple river robin
rocket rose ruby saddle saffron sage sailor salmon sandal sapphire satin scarf school seal
season sesame shadow sheep shell silver sister skate sleeve slipper snow soccer socket
sparrow spider spinach spoon spring sprout squirrel stable star statue stone stork storm
strawberry sugar summer sunflower sunset swallow swan table teapot thistle thunder tiger
timber toast tomato toucan tower tractor trout trumpet tulip tuna tunnel turtle umbrella
valley vanilla velvet violet violin wagon walnut walrus water whale wheat whistle wicker
willow window winter wizard wolf wren yellow yogurt zebra zucchini
"""
WORDS: Final[tuple[str, ...]] = tuple(_WORD_TEXT.split())


def generate_passphrase(words: int = WORDS_PER_PASSPHRASE) -> str:
    """A new random passphrase: ``words`` words joined by hyphens."""
    if words < 1:
        raise ValueError("a passphrase needs at least one word")
    return "-".join(secrets.choice(WORDS) for _ in range(words))


def entropy_bits(words: int = WORDS_PER_PASSPHRASE) -> float:
    """How many bits of randomness a generated passphrase of ``words`` words has."""
    return words * math.log2(len(WORDS))


#: Largest passphrase file read (its first line is the passphrase).
MAX_PASSPHRASE_FILE: Final = 64 * 1024


def read_passphrase_file(path: Path) -> str:
    """The passphrase on the first line of ``path``, as pack and open both read it.

    The file is UTF-8; a byte-order mark (Windows Notepad writes one) and the line
    ending are not part of the passphrase, so the bundle opens with the words the
    person types at age's prompt. Other spaces are kept: they may be intended.
    """
    from recordpack.textfiles import TooLarge, read_small_text

    try:
        text = read_small_text(path, MAX_PASSPHRASE_FILE)
    except TooLarge:
        raise InputError(
            f"the passphrase file {path} is far too large to hold a passphrase",
            hint="Give a file whose first line is the passphrase.",
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"the passphrase file {path} is not UTF-8 text",
            hint="Save it as UTF-8 (plain text) and try again.",
        ) from None
    except OSError as error:
        raise InputError(
            f"cannot read the passphrase file {path}: {error.strerror or error}"
        ) from error
    lines = text.splitlines()
    passphrase = lines[0] if lines else ""
    if not passphrase:
        raise UsageError(
            f"the passphrase file {path} is empty (the first line is used)",
            hint="Put the passphrase on the first line of the file.",
        )
    return passphrase


@dataclass(frozen=True)
class Strength:
    """How guessable a passphrase is, as zxcvbn estimates it."""

    score: int  # 0 (guessed at once) .. 4 (strong against an offline attack)
    guesses_log10: float
    warning: str
    suggestions: tuple[str, ...]

    @property
    def strong(self) -> bool:
        return self.score >= MIN_SCORE


class WeakPassphraseError(UsageError):
    """A passphrase a person chose is too easy to guess."""

    code = "weak_passphrase"


def judge_passphrase(passphrase: str, context: Sequence[str] = ()) -> Strength:
    """zxcvbn's estimate for ``passphrase``; ``context`` lists words an attacker would try first."""
    from zxcvbn import zxcvbn

    result = zxcvbn(
        passphrase[:_ZXCVBN_MAX_LENGTH],
        user_inputs=[c for c in context if c],
        max_length=_ZXCVBN_MAX_LENGTH,
    )
    feedback = result.get("feedback") or {}
    return Strength(
        score=int(result["score"]),
        guesses_log10=float(result["guesses_log10"]),
        warning=str(feedback.get("warning") or ""),
        suggestions=tuple(str(s) for s in feedback.get("suggestions") or ()),
    )


def require_strong(passphrase: str, context: Sequence[str] = ()) -> Strength:
    """Return the strength of a passphrase a person chose; raise WeakPassphraseError if weak."""
    strength = judge_passphrase(passphrase, context)
    if strength.strong:
        return strength
    why = strength.warning.rstrip(".") or "it could be guessed by trying common words and patterns"
    raise WeakPassphraseError(
        f"this passphrase is too easy to guess ({why.lower()}); a copy of the bundle "
        "could be unlocked by someone who tries long enough",
        hint=(
            "Let recordpack make one for you, like this one (made just now), for example: "
            f"{generate_passphrase()}. To make your own, string together five or more random, "
            "unrelated words: not a saying, a song, a name or a date."
        ),
    )
