"""The request journal (issue 16 §1): every call to an app, on every protocol, in a bounded ring per app, with
near-miss hints for calls that failed on a name. ``journal`` records and reads, ``entry`` makes an entry's parts
(bounded, secrets redacted), ``rings`` keeps them (in this process or in Redis), ``hints`` works out what was
meant."""
