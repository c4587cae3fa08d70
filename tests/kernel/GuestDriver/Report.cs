namespace VgpuView.KernelGuest;

/// <summary>A check's expectation did not hold; the message says what was seen and what was expected.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// Prints each check's result as one console line the host harness parses:
/// "KTEST PASS name" or "KTEST FAIL name: why". "KSTEP check name" comes first, so that a
/// hang is reported with the check it happened in; "KINFO" lines are for the reader.
/// </summary>
internal sealed class Report
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

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
        Console.WriteLine($"KTEST FAIL {name}: {OneLine(why)}");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" | ");
}
