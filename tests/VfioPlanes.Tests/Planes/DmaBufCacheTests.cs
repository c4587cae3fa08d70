using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Planes;

/// <summary>Tests that count the process's open fds: they run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(FdCounting), DisableParallelization = true)]
public sealed class FdCounting
{
    /// <summary>What /proc/self/fd/N points at ("/memfd:fake-dmabuf-3 (deleted)"), or null when N is not open.</summary>
    public static string? FdTarget(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

[Collection(nameof(FdCounting))]
public class DmaBufCacheTests
{
    private static PlaneInfo Info(uint id, uint width = 64) =>
        PlaneInfo.FromKernel(FakeVfioDevice.Plane(id, width, 16), PlaneType.Primary, PlaneBufferKind.DmaBuf);

    private static (FakeVfioDevice Fake, VgpuDevice Device) MakeDevice()
    {
        var fake = new FakeVfioDevice();
        return (fake, fake.Open());
    }

    [Fact]
    public void Acquire_SameIdAndLayout_HitsWithoutAskingTheKernel()
    {
        var (fake, device) = MakeDevice();
        using var cache = new DmaBufCache(device);

        DmaBufEntry a = cache.Acquire(Info(3));
        DmaBufEntry b = cache.Acquire(Info(3));

        Assert.Same(a, b);
        Assert.Equal(1, fake.GetDmaBufCount);
        Assert.Equal(new CacheCounters(Hits: 1, Misses: 1, Failures: 0, Evictions: 0, OpenFds: 1), cache.Counters);
        Assert.True(a.IsInUse);
        cache.Release(a);
        Assert.True(a.IsInUse);
        cache.Release(b);
        Assert.False(a.IsInUse);
        Assert.Throws<InvalidOperationException>(() => cache.Release(a));
    }

    [Fact]
    public void Acquire_ReusedIdWithNewLayout_IsFetchedAnew_AndTheOldEntryEvicted()
    {
        var (fake, device) = MakeDevice();
        using var cache = new DmaBufCache(device);
        var evicted = new List<DmaBufEntry>();
        cache.Evicted += evicted.Add;
        DmaBufEntry old = cache.Acquire(Info(3, width: 64));
        cache.Release(old);

        DmaBufEntry fresh = cache.Acquire(Info(3, width: 32));

        Assert.NotSame(old, fresh);
        Assert.Equal(2, fake.GetDmaBufCount);
        Assert.Equal([old], evicted);
        Assert.True(old.IsDisposed);
        Assert.Equal(32u, fresh.Layout.Width);
        Assert.Equal(new CacheCounters(0, 2, 0, 1, 1), cache.Counters);
    }

    [Fact]
    public void Acquire_ReusedIdWhileTheOldEntryIsHeld_KeepsItOpenUntilReleased()
    {
        var (_, device) = MakeDevice();
        using var cache = new DmaBufCache(device);
        DmaBufEntry old = cache.Acquire(Info(3, width: 64));

        DmaBufEntry fresh = cache.Acquire(Info(3, width: 32));

        Assert.False(old.IsDisposed);
        Assert.Equal(2, cache.Counters.OpenFds);
        Assert.Same(fresh, cache.Acquire(Info(3, width: 32)));
        cache.Release(old);
        Assert.True(old.IsDisposed);
        Assert.False(fresh.IsDisposed);
        Assert.Equal(1, cache.Counters.OpenFds);
    }

    [Fact]
    public void Evicted_FiresWhileTheFdIsStillOpen_AndTheFdClosesRightAfter()
    {
        var (_, device) = MakeDevice();
        using var cache = new DmaBufCache(device, capacity: 1);
        DmaBufEntry first = cache.Acquire(Info(1));
        int fd = first.Fd.Number;
        Assert.Contains("fake-dmabuf-1", FdCounting.FdTarget(fd));
        cache.Release(first);
        string? targetDuringEvent = null;
        bool disposedDuringEvent = true;
        cache.Evicted += e =>
        {
            targetDuringEvent = FdCounting.FdTarget(e.Fd.Number);
            disposedDuringEvent = e.IsDisposed;
        };

        cache.Acquire(Info(2));

        Assert.Contains("fake-dmabuf-1", targetDuringEvent);
        Assert.False(disposedDuringEvent);
        Assert.True(first.IsDisposed);
        Assert.True(first.Fd.IsClosed);
        Assert.DoesNotContain("fake-dmabuf-1", FdCounting.FdTarget(fd) ?? string.Empty);
    }

    [Fact]
    public void Capacity_WhenEverythingIsHeld_IsExceeded_ThenTrimmedOnRelease()
    {
        var (_, device) = MakeDevice();
        using var cache = new DmaBufCache(device, capacity: 4);
        var held = new List<DmaBufEntry>();
        for (uint id = 0; id < 10; id++)
        {
            held.Add(cache.Acquire(Info(id)));
        }

        Assert.Equal(10, cache.Counters.OpenFds);
        Assert.All(held, e => Assert.False(e.IsDisposed));

        foreach (DmaBufEntry e in held)
        {
            cache.Release(e);
        }

        Assert.Equal(4, cache.Counters.OpenFds);
        Assert.Equal(6, cache.Counters.Evictions);

        // Each was acquired once, so the least recently acquired (ids 0-5) go first.
        Assert.All(held.Take(6), e => Assert.True(e.IsDisposed));
        Assert.All(held.Skip(6), e => Assert.False(e.IsDisposed));
    }

    [Fact]
    public void Acquire_KernelRefuses_ReportsErrno_AndThrowsFromAcquire()
    {
        var (fake, device) = MakeDevice();
        fake.Name = "sim:mbochs";
        using var cache = new DmaBufCache(device);
        fake.DmaBufErrors.Enqueue(Errno.ENOMEM);
        fake.DmaBufErrors.Enqueue(Errno.ENOTTY);

        Assert.False(cache.TryAcquire(Info(1), out DmaBufEntry? entry, out int errno));
        var e = Assert.Throws<VfioException>(() => cache.Acquire(Info(1)));

        Assert.Null(entry);
        Assert.Equal(Errno.ENOMEM, errno);
        Assert.Equal(Errno.ENOTTY, e.Errno);
        Assert.Contains("sim:mbochs", e.Message);
        Assert.Equal(new CacheCounters(0, 2, 2, 0, 0), cache.Counters);
    }

    [Fact]
    public void Dispose_ClosesHeldEntriesToo_TellingConsumers()
    {
        var (_, device) = MakeDevice();
        var cache = new DmaBufCache(device);
        DmaBufEntry held = cache.Acquire(Info(1));
        DmaBufEntry free = cache.Acquire(Info(2));
        cache.Release(free);
        var evicted = new List<DmaBufEntry>();
        cache.Evicted += evicted.Add;

        cache.Dispose();

        Assert.Equal(2, evicted.Count);
        Assert.True(held.IsDisposed && free.IsDisposed);
        Assert.Equal(0, cache.Counters.OpenFds);
    }

    [Fact]
    public void BeginCpuRead_MapsOnceAndGivesTheBufferBytes()
    {
        var (_, device) = MakeDevice();
        using var cache = new DmaBufCache(device);
        DmaBufEntry entry = cache.Acquire(Info(5, width: 64));

        for (int pass = 0; pass < 2; pass++)
        {
            using PlaneMemory read = entry.BeginCpuRead();
            Assert.Equal(64 * 4 * 16, read.Bytes.Length);
            for (int i = 0; i < read.Bytes.Length; i += 97)
            {
                Assert.Equal((byte)((i * 7) + (5 * 13) + 1), read.Bytes[i]);
            }
        }
    }

    [Fact]
    public void BeginCpuRead_UnmappableBuffer_ThrowsKeepingErrnoAndSayingWhatToDo()
    {
        var (fake, device) = MakeDevice();
        fake.Name = "mdev 42";
        fake.UnmappableDmaBufs = true;
        using var cache = new DmaBufCache(device);
        DmaBufEntry entry = cache.Acquire(Info(5));

        var e = Assert.Throws<VfioException>(() => { using PlaneMemory read = entry.BeginCpuRead(); });

        Assert.Equal(Errno.ENODEV, e.Errno);
        Assert.StartsWith("dma-buf of mdev 42 cannot be mapped by the CPU (ENODEV", e.Message);
        // The read-only mbochs hint is for EACCES/EPERM. What to do instead is the command's to
        // say: not every command has --gpu.
        Assert.EndsWith(" bytes)", e.Message);
        Assert.DoesNotContain("--gpu", e.Message);
        Assert.Equal("mmap", e.Operation);
    }

    [Fact]
    public void RandomSequence_NeverEvictsHeldEntries_StaysWithinCapacity_CountersAddUp_AndLeaksNoFd()
    {
        const int capacity = 5;
        var fdsBefore = FdSnapshot.Take();
        var (fake, device) = MakeDevice();
        var cache = new DmaBufCache(device, capacity);
        // Each dma-buf the fake hands out is one memfd, so while the test runs the process has
        // exactly the cache's open_fds more than now: a counter that drifts from the real fds, or
        // an fd left for a finalizer to close, shows here long before Dispose.
        int fdsAtStart = FdSnapshot.Take(collectFirst: false).Count;
        var random = new Random(20261122);
        var held = new List<DmaBufEntry>();
        long acquires = 0, failures = 0;
        cache.Evicted += e => Assert.False(e.IsInUse, $"entry {e.Id} evicted while held");

        for (int step = 0; step < 20_000; step++)
        {
            int action = random.Next(100);
            if (action < 60 || held.Count == 0)
            {
                uint id = (uint)random.Next(24);
                uint width = random.Next(10) == 0 ? 32u : 64u; // now and then a reused id with another layout
                if (random.Next(50) == 0)
                {
                    fake.DmaBufErrors.Enqueue(Errno.ENOMEM);
                }

                if (cache.TryAcquire(Info(id, width), out DmaBufEntry? entry, out _))
                {
                    acquires++;
                    Assert.Equal(id, entry.Id);
                    Assert.Equal(width, entry.Layout.Width);
                    Assert.False(entry.IsDisposed);
                    held.Add(entry);
                }
                else
                {
                    failures++;
                    fake.DmaBufErrors.Clear();
                }
            }
            else
            {
                int i = random.Next(held.Count);
                cache.Release(held[i]);
                held.RemoveAt(i);
            }

            CacheCounters c = cache.Counters;
            Assert.Equal(acquires + failures, c.Hits + c.Misses);
            Assert.Equal(failures, c.Failures);
            Assert.Equal(c.Misses - c.Failures - c.Evictions, c.OpenFds);
            Assert.All(held, e => Assert.False(e.IsDisposed));
            int distinctHeld = held.Distinct().Count();
            Assert.True(c.OpenFds <= capacity + distinctHeld, $"step {step}: {c.OpenFds} open with {distinctHeld} held");
            if (held.Count == 0)
            {
                Assert.True(c.OpenFds <= capacity, $"step {step}: {c.OpenFds} open, nothing held");
            }

            if (step % 250 == 0)
            {
                var now = FdSnapshot.Take(collectFirst: false);
                Assert.True(now.Count == fdsAtStart + c.OpenFds, $"step {step}: open_fds {c.OpenFds} over {fdsAtStart} at the start, but {now.Count} fds open");
            }

            // Now and then let go of everything, so the nothing-held bound is checked often.
            if (random.Next(200) == 0)
            {
                foreach (DmaBufEntry e in held)
                {
                    cache.Release(e);
                }

                held.Clear();
                Assert.True(cache.Counters.OpenFds <= capacity);
            }
        }

        Assert.True(cache.Counters.Evictions > 1000, "the sequence should exercise eviction");
        Assert.True(cache.Counters.Hits > 1000, "the sequence should exercise hits");
        cache.Dispose();
        device.Dispose();
        Assert.Equal(0, cache.Counters.OpenFds);
        var fdsAfter = FdSnapshot.Take();
        Assert.True(fdsAfter.Count == fdsBefore.Count, fdsAfter.Since(fdsBefore));
    }
}
