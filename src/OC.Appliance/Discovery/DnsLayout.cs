namespace OC.Appliance.Discovery;

/// <summary>How much of a datagram <see cref="DnsLayout.Check"/> lets Makaretu.Dns parse.</summary>
internal enum DnsFit
{
    None,
    QuestionsOnly,
    All,
}

/// <summary>
/// Walks a DNS datagram's sections without building anything, before Makaretu.Dns is let near it
/// (docs/fuzzing.md, where each of these was found): does every question and record fit in the
/// datagram, with the lengths announced inside them, and do its names, expanded, cost no more than
/// the datagram's size can explain? Makaretu.Dns reserves announced lengths before it reads them
/// (64 KB for a 35-byte datagram) and makes a string of every label each time a compression
/// pointer repeats a name (52 KB for 147 bytes: one name of 60 labels, pointed at twice; 600 such
/// pointers fit in 9,000 bytes).
/// </summary>
internal static class DnsLayout
{
    private const int HeaderBytes = 12;
    private const int QuestionFixedBytes = 4;  // type, class
    private const int RecordFixedBytes = 10;   // type, class, TTL, RDLENGTH
    private const int MaxNameBytes = 255;      // RFC 1035 §3.1

    // Makaretu.Dns spends about 140 bytes on each label of each name it reads (a string and its
    // place in the name), however often a pointer repeats it. Labels, counted as they come out of
    // the pointers, may number 16 and one for every two bytes of the datagram: honest compression
    // stays near one for every three (a dense answer: a 2-byte pointer for a 4-label name in every
    // record), and what a datagram can make the parser build stays under 70 times its size.
    private const int LabelsFloor = 16;
    private const int BytesPerLabel = 2;

    private const int NsType = 2, CnameType = 5, SoaType = 6, PtrType = 12, MxType = 15, RpType = 17, AfsdbType = 18;
    private const int SrvType = 33, DnameType = 39, OptType = 41, RrsigType = 46, NsecType = 47, TkeyType = 249, TsigType = 250;

    public static DnsFit Check(ReadOnlySpan<byte> packet, int questions, int records, out int questionsEnd)
    {
        int budget = LabelsFloor + (packet.Length / BytesPerLabel);
        int labels = 0;
        int at = HeaderBytes;
        questionsEnd = at;
        for (int i = 0; i < questions; i++)
        {
            if (!ReadName(packet, ref at, packet.Length, ref labels) || packet.Length - at < QuestionFixedBytes) return DnsFit.None;
            at += QuestionFixedBytes;
        }
        if (labels > budget) return DnsFit.None;
        questionsEnd = at;
        for (int i = 0; i < records; i++)
        {
            if (!ReadName(packet, ref at, packet.Length, ref labels) || packet.Length - at < RecordFixedBytes) return DnsFit.QuestionsOnly;
            int type = (packet[at] << 8) | packet[at + 1];
            int dataLength = (packet[at + 8] << 8) | packet[at + 9];
            at += RecordFixedBytes;
            if (dataLength > packet.Length - at || !DataFits(packet, type, at, at + dataLength, ref labels)) return DnsFit.QuestionsOnly;
            at += dataLength;
            if (labels > budget) return DnsFit.QuestionsOnly;
        }
        return DnsFit.All;
    }

    /// <summary>
    /// The lengths and names inside a record's data (<paramref name="start"/>..<paramref name="end"/>),
    /// for the types Makaretu.Dns reads them from. An OPT record's options must fit in it (RFC 6891
    /// §6.1.2: code, length, data); TKEY and TSIG, which mDNS never uses (RFC 6762 has no place for
    /// them) and which carry 16-bit lengths of their own, are not handed over at all.
    /// </summary>
    private static bool DataFits(ReadOnlySpan<byte> packet, int type, int start, int end, ref int labels)
    {
        (int offset, int names) = type switch
        {
            NsType or CnameType or PtrType or DnameType or NsecType => (0, 1),
            SoaType or RpType => (0, 2),
            MxType or AfsdbType => (2, 1),
            SrvType => (6, 1),
            RrsigType => (18, 1),
            _ => (0, 0),
        };
        if (type is TkeyType or TsigType) return false;
        if (type == OptType) return OptionsFit(packet[start..end]);
        if (names == 0) return true;
        if (offset > end - start) return false;
        int at = start + offset;
        for (int i = 0; i < names; i++)
        {
            if (!ReadName(packet, ref at, end, ref labels)) return false;
        }
        return true;
    }

    private static bool OptionsFit(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (data.Length < 4) return false;
            int length = (data[2] << 8) | data[3];
            if (length > data.Length - 4) return false;
            data = data[(4 + length)..];
        }
        return true;
    }

    /// <summary>
    /// Moves <paramref name="at"/> past the name there (which must end before <paramref name="end"/>)
    /// and adds its labels, expanded, to <paramref name="labels"/>. False for a name that is not
    /// well formed: a label type no one uses (0x40, 0x80), more than 255 bytes expanded (RFC 1035
    /// §3.1), or a compression pointer that does not point back before itself (§4.1.4: to a prior
    /// occurrence; it also rules out loops, since every jump goes further back).
    /// </summary>
    private static bool ReadName(ReadOnlySpan<byte> packet, ref int at, int end, ref int labels)
    {
        int position = at;
        int limit = end;
        int expanded = 1; // the root label
        bool jumped = false;
        while (position < limit)
        {
            int label = packet[position];
            if (label == 0)
            {
                if (!jumped) at = position + 1;
                return true;
            }
            if ((label & 0xC0) == 0xC0)
            {
                if (limit - position < 2) return false;
                int target = ((label & 0x3F) << 8) | packet[position + 1];
                if (target >= position) return false;
                if (!jumped) at = position + 2;
                jumped = true;
                limit = position;
                position = target;
                continue;
            }
            if ((label & 0xC0) != 0 || limit - position < 1 + label) return false;
            expanded += 1 + label;
            if (expanded > MaxNameBytes) return false;
            labels++;
            position += 1 + label;
        }
        return false;
    }
}
