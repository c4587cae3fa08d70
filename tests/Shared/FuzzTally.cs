using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace VgpuView.Tests.Shared;

/// <summary>
/// Runs a fuzz suite's inputs one by one through a real entry point and keeps the count per input
/// kind: tried, refused with a clean error, accepted. Each input must end in bounded time and
/// allocation, and an error must be a documented exception type whose message is one line with no
/// stack trace. The counts are written to the test output (shown by `dotnet test` at detailed
/// verbosity), to fuzz-counts.txt in the directory given, and to fuzz-counts.txt beside the test
/// assembly, which outlives the run.
/// </summary>
public sealed class FuzzTally(string kind, ITestOutputHelper output, string directory)
{
    public int Tried { get; private set; }

    public int CleanErrors { get; private set; }

    public int Accepted { get; private set; }

    public TimeSpan Slowest { get; private set; }

    public long MostAllocated { get; private set; }

    /// <summary>Per input: the most time and managed allocation it may take.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(5);

    public long AllocationLimit { get; init; } = 64L << 20;

    /// <summary>Runs one input; <paramref name="documented"/> says which exceptions are the entry point's documented refusals.</summary>
    public void Try(string input, Action run, Func<Exception, bool> documented)
    {
        Tried++;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        try
        {
            run();
            Accepted++;
        }
        catch (Exception e) when (documented(e))
        {
            AssertOneLine(e.Message, input);
            CleanErrors++;
        }
        catch (Exception e)
        {
            Assert.Fail($"{kind} input {Tried} ({input}) threw an undocumented {e.GetType().Name}: {e}");
        }

        Measure(input, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Runs one input that reports its own outcome (an exit code, say): true when accepted, false for a clean refusal. Any exception fails.</summary>
    public void Try(string input, Func<bool> run)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        bool accepted = false;
        try
        {
            accepted = run();
        }
        catch (Exception e)
        {
            Assert.Fail($"{kind} input {Tried + 1} ({input}) threw {e.GetType().Name}: {e}");
        }

        Count(input, accepted, clock.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Counts an input whose outcome the caller judged (a child process, say): accepted or a clean error.</summary>
    public void Count(string input, bool accepted, TimeSpan elapsed, long allocated)
    {
        Tried++;
        if (accepted)
        {
            Accepted++;
        }
        else
        {
            CleanErrors++;
        }

        Measure(input, elapsed, allocated);
    }

    /// <summary>A message is one line, names no .NET frame, and is no internal error.</summary>
    public static void AssertOneLine(string message, string input)
    {
        string text = message.TrimEnd('\n');
        Assert.False(text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal), $"a message of more than one line for {input}: {message}");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(text), $"an empty message for {input}");
    }

    /// <summary>Writes the counts to the test output and to fuzz-counts.txt; returns the line.</summary>
    public string Report()
    {
        string line = string.Create(CultureInfo.InvariantCulture,
            $"fuzz {kind}: {Tried} tried, {CleanErrors} clean errors, {Accepted} accepted; slowest {Slowest.TotalMilliseconds:F0} ms, most allocated {MostAllocated / 1024.0 / 1024.0:F1} MiB");
        output.WriteLine(line);
        File.AppendAllText(Path.Combine(directory, "fuzz-counts.txt"), line + "\n");
        File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "fuzz-counts.txt"), $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}\n");
        Assert.Equal(Tried, CleanErrors + Accepted);
        return line;
    }

    private void Measure(string input, TimeSpan elapsed, long allocated)
    {
        Slowest = elapsed > Slowest ? elapsed : Slowest;
        MostAllocated = Math.Max(MostAllocated, allocated);
        Assert.True(elapsed <= TimeLimit, $"{kind} input {Tried} ({input}) took {elapsed.TotalMilliseconds:F0} ms, over {TimeLimit.TotalMilliseconds:F0}");
        Assert.True(allocated <= AllocationLimit, $"{kind} input {Tried} ({input}) allocated {allocated} bytes, over {AllocationLimit}");
    }
}
