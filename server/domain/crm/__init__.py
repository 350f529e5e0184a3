"""The CRM: contacts and companies, their notes, tasks and appointments, tags, links, opportunities, lead sources,
files, surveys, tickets and web forms."""
