"""Task specs of the offline demo (MultiEmo and the BIG-bench intermediate tasks)."""
