"""How a report is rendered: the options every format takes, and the guide's address."""

from __future__ import annotations

from dataclasses import dataclass

#: Where the troubleshooting guide lives; a signature's ``references`` are anchors in it.
GUIDE_URL = (
    "https://docs.vmware.com/en/VMware-Tanzu-Application-Platform/1.7/tap/"
    "scst-store-amr-troubleshooting.html"
)


@dataclass(frozen=True)
class Options:
    """How to render: colour and width for terminals, the guide's address for links.

    ``verbose`` asks the text format for the full story (evidence, explanations,
    each finding's own fix) instead of the short answer.
    """

    color: bool = False
    width: int = 100
    guide_url: str = GUIDE_URL
    verbose: bool = False


#: The options of a plain, uncoloured rendering: the default of every formatter.
PLAIN = Options()


def guide_link(reference: str, options: Options) -> str:
    """A reference (``#anchor`` in the guide, or a full URL) as an absolute URL."""
    if reference.startswith(("http://", "https://")):
        return reference
    return options.guide_url + (reference if reference.startswith("#") else f"#{reference}")
