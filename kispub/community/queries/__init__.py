"""Every read the community's pages need, one module per part, each returning the frozen
page objects templates show (templates never query)."""
