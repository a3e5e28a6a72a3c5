"""Running student code: the in-sandbox zygote and workers, and the trusted-side launcher."""
