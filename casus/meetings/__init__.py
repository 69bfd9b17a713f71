"""Casusoverleg: meeting series and meetings, agendas of cases, minutes in BOB order and decisions."""
