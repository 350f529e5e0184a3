"""The migration kit (issue 19 §2, §3): where every XML-RPC method goes on REST v2 (``mapping``, from the data
in ``mapping.yaml``), how often an app still calls the old APIs (``counter``), and the report that joins them
(``report``)."""
