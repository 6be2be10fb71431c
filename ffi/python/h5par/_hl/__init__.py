"""The h5py-shaped high-level layer of h5par, in pure Python over the thin Cython layer
``h5par._core`` (which owns the C handles and converts arguments):

- ``files``: ``File`` (modes, ``driver="mpio"``, ``comm=``, close and ``with`` semantics);
- ``group``: ``Group`` (navigation, creation);
- ``dataset``: ``Dataset`` (reads, writes, the ``independent`` context);
- ``attrs``: ``AttributeManager``;
- ``selections``: indexing expressions turned into the core's selections.

The rule every collective method follows: whatever this rank's Python finds wrong with its
arguments (a bad selection, a ragged list, a wrong dtype...) is caught and handed to the core
call as ``failure=``, which still takes part in the collective call, so every rank raises and
none waits.
"""
