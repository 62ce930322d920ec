"""Domain model: accounts, people, buying groups, lists, audiences, journeys, Marketo objects."""
