using System.Runtime.ExceptionServices;

namespace VgpuView.VfioPlanes.Threading;

/// <summary>
/// Work cut into numbered pieces that the calling thread and up to one thread-pool thread per
/// other core take from one shared counter, so no piece waits for a thread. The PNG deflater and
/// the pixel converter's bands use it. The object itself is the pool's work item and is reused
/// from call to call, so a series of calls queues nothing that allocates. Not thread-safe: one
/// <see cref="RunPieces"/> at a time.
/// </summary>
internal abstract class PieceWork : IThreadPoolWorkItem
{
    // The pieces left to hand out, as one word so that a helper reads both halves at once: the
    // piece count in the high 32 bits and the next index in the low 32. It is 0 between runs,
    // so a helper that the pool starts late finds no work (count 0) rather than a stale index.
    private long _ticket;
    private int _unfinished;
    private readonly ManualResetEventSlim _finished = new();
    private ExceptionDispatchInfo? _failure;

    /// <summary>Does piece <paramref name="index"/>; pieces may run at the same time on different threads.</summary>
    protected abstract void RunPiece(int index);

    /// <summary>
    /// Runs pieces 0 to <paramref name="count"/> - 1, on this thread alone when there is one, and
    /// returns when all are done. The first piece to fail has its exception rethrown here, after
    /// the others have finished.
    /// </summary>
    protected void RunPieces(int count)
    {
        if (count == 1)
        {
            RunPiece(0);
            return;
        }

        _unfinished = count;
        _failure = null;
        _finished.Reset();
        Interlocked.Exchange(ref _ticket, (long)count << 32);
        int helpers = Math.Min(count, Environment.ProcessorCount) - 1;
        for (int i = 0; i < helpers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        TakePieces();
        _finished.Wait();
        Interlocked.Exchange(ref _ticket, 0);
        _failure?.Throw();
    }

    /// <summary>A pool thread's part: pieces until none is left.</summary>
    void IThreadPoolWorkItem.Execute() => TakePieces();

    private void TakePieces()
    {
        while (true)
        {
            long ticket = Interlocked.Increment(ref _ticket);
            int index = (int)(uint)ticket - 1;
            if (index >= (int)(ticket >> 32))
            {
                return;
            }

            try
            {
                RunPiece(index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }

            if (Interlocked.Decrement(ref _unfinished) == 0)
            {
                _finished.Set();
            }
        }
    }
}
