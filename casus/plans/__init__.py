"""The plan van aanpak: goals (doelen), actions with an owning organisation, and progress entries."""
