//! The thin MPI part of distributed vectors: an all-to-all of counts followed by an
//! all-to-all-v (to build plans and directories), and the nonblocking point-to-point exchange
//! among sharing ranks only that every Export/Import and matrix apply uses.

use mpi::datatype::{Partition, PartitionMut};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use super::partition::Grouped;

/// The tag of every vector exchange (each happens within one call, on the map's own
/// communicator, so messages of different calls never meet).
const TAG: i32 = 0x5ec;

/// Collective: sends records of `W` words grouped by destination rank (an all-to-all of the
/// counts, then an all-to-all-v), and returns what arrived, grouped by source rank.
pub(crate) fn all_to_all<const W: usize>(
    comm: &SimpleCommunicator,
    send: &Grouped<[i64; W]>,
) -> Grouped<[i64; W]> {
    let p = comm.size() as usize;
    let counts: Vec<i32> = send.counts(p).iter().map(|&c| c * W as i32).collect();
    let mut rcounts = vec![0i32; p];
    comm.all_to_all_into(&counts[..], &mut rcounts[..]);
    let displs = offsets(&counts);
    let rdispls = offsets(&rcounts);
    let total = rcounts.iter().map(|&c| c as usize).sum::<usize>() / W;
    let mut g = Grouped {
        peers: Vec::new(),
        offsets: vec![0],
        items: vec![[0i64; W]; total],
    };
    {
        let sp = Partition::new(send.items.as_flattened(), &counts[..], &displs[..]);
        let mut rp = PartitionMut::new(g.items.as_flattened_mut(), &rcounts[..], &rdispls[..]);
        comm.all_to_all_varcount_into(&sp, &mut rp);
    }
    for (r, &c) in rcounts.iter().enumerate() {
        if c > 0 {
            g.peers.push(r as i32);
            g.offsets.push((rdispls[r] + c) as usize / W);
        }
    }
    g
}

fn offsets(counts: &[i32]) -> Vec<i32> {
    let mut d = Vec::with_capacity(counts.len());
    let mut acc = 0i32;
    for &c in counts {
        d.push(acc);
        acc += c;
    }
    d
}

/// One side of an exchange: peer ranks and where each peer's values lie in a buffer.
pub(crate) struct Side<'a> {
    /// Peer ranks.
    pub peers: &'a [i32],
    /// `peers.len() + 1` offsets, in elements (not yet multiplied by the record width).
    pub offsets: &'a [usize],
}

/// Posts receives from `recv.peers` into `rbuf` and sends to `send.peers` from `sbuf`
/// (records of `k` values), runs `overlap` while the messages travel, then waits for all.
pub(crate) fn exchange(
    comm: &SimpleCommunicator,
    send: Side<'_>,
    sbuf: &[f64],
    recv: Side<'_>,
    rbuf: &mut [f64],
    k: usize,
    overlap: impl FnOnce(),
) {
    let n = send.peers.len() + recv.peers.len();
    if n == 0 {
        overlap();
        return;
    }
    mpi::request::multiple_scope(n, |scope, coll| {
        let mut rest: &mut [f64] = rbuf;
        for (i, &p) in recv.peers.iter().enumerate() {
            let len = (recv.offsets[i + 1] - recv.offsets[i]) * k;
            let (head, tail) = rest.split_at_mut(len);
            rest = tail;
            coll.add(
                comm.process_at_rank(p)
                    .immediate_receive_into_with_tag(scope, head, TAG),
            );
        }
        for (i, &p) in send.peers.iter().enumerate() {
            let part = &sbuf[send.offsets[i] * k..send.offsets[i + 1] * k];
            coll.add(
                comm.process_at_rank(p)
                    .immediate_send_with_tag(scope, part, TAG),
            );
        }
        overlap();
        let mut done = Vec::with_capacity(n);
        coll.wait_all(&mut done);
    });
}
