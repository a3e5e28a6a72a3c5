"""`autograder mutants ID`: how many plausible bugs in the solution do the graded tests catch?"""
