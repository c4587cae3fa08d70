namespace VgpuView.KernelGuest;

/// <summary>A check's expectation did not hold; the message says what was seen and what was expected.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// Prints each check's result as one console line the host harness parses:
/// "KTEST PASS kernel/name" or "KTEST FAIL kernel/name: why", named by the kernel it ran on.
/// "KSTEP check name" comes first, so that a hang is reported with the check it happened in;
/// "KINFO" lines are for the reader.
/// </summary>
internal sealed class Report(string kernel)
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    /// <summary>
    /// Name prefixes (after the kernel's) of the checks to run; empty: all. For a developer
    /// who wants one part of the checks on a slow machine (run.sh: VGPUVIEW_KERNEL_ONLY).
    /// </summary>
    public string[] Only { get; init; } = [];

    public static void Info(string text) => Console.WriteLine("KINFO " + OneLine(text));

    public static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new CheckFailedException(message);
        }
    }

    public bool Run(string name, Action body)
    {
        if (Only.Length > 0 && !Only.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
        {
            return false;
        }

        name = kernel + "/" + name;
        Console.WriteLine($"KSTEP check {name}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            body();
            Passed++;
            Console.WriteLine($"KTEST PASS {name} ({clock.Elapsed.TotalSeconds:0.0} s)");
            return true;
        }
        catch (CheckFailedException e)
        {
            Fail(name, $"{e.Message} ({clock.Elapsed.TotalSeconds:0.0} s)");
        }
        catch (Exception e)
        {
            Fail(name, $"{e.GetType().Name}: {e.Message} ({clock.Elapsed.TotalSeconds:0.0} s)");
        }

        return false;
    }

    public void Fail(string name, string why)
    {
        Failed++;
        Console.WriteLine($"KTEST FAIL {(name.StartsWith(kernel + "/", StringComparison.Ordinal) ? name : kernel + "/" + name)}: {OneLine(why)}");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" | ");
}
