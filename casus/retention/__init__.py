"""Retention terms, archive fields, legal holds, destruction lists and the verklaring van vernietiging."""
