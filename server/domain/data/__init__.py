"""The DataService machinery every table shares: table and field checks and writers (records), the query
language (query), wire values (values), custom fields, saved searches."""
