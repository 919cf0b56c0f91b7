"""The teaching tools, apart from the library core: nothing in the core imports them.

    paper.py      the article's §4.1–4.2 equations as printed, their readings, the true
                  gradients and ``verify()`` (python -m nanonet verify-formulas)
    lesson.py     what every lesson script shares: options, output folder, quick mode, sections
    notebook.py   a lesson as an executed Jupyter notebook (python -m nanonet notebook NN)
    statistics.py the paired comparison of two classifiers on the same items (SE, McNemar)
    golden.py     the stored numbers of other frameworks a lesson prints (Keras, lesson 06)
    mutation.py   small deliberate bugs in gradient code: the mutation check, find-the-bug copies
    exercises/    the classroom kit: the exercises marked in the source, student copies, the
                  grader and its checks, find-the-bug copies (python -m nanonet exercises …)

Their old paths — ``from nanonet import lesson, paper``, ``nanonet.mutation``,
``nanonet.exercises.copies`` … — keep working: the import hook in ``nanonet/__init__.py``
answers them with these modules.
"""
