import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '../csv';
import type { ListingInput } from '../listing';
import { parseJpEquipmentLine } from './jp-equipment-jsonl';
import { HOKUDAI_ELECTRON, KYUSHU_UNCLASSIFIED, NMR_SCORPIO, TOYOHASHI_LONG_ADDRESS } from './jp-equipment-jsonl.fixtures';
import {
  formatUniquip,
  htmlToText,
  parseUniquip,
  readUniquipFile,
  UNIQUIP_COLUMNS,
  UNIQUIP_SERVICE_LEVELS,
  uniquipRowOf,
  UniquipFileError,
  type UniquipFile,
} from './uniquip';
import {
  SOUTHAMPTON_E0001,
  SOUTHAMPTON_E0002,
  SOUTHAMPTON_E0004,
  SOUTHAMPTON_E0033,
  SOUTHAMPTON_E0236,
  SOUTHAMPTON_E0259,
  SOUTHAMPTON_E0520,
  SOUTHAMPTON_HEADER,
  ST_ANDREWS_AGILENT,
  ST_ANDREWS_CONTROL,
  ST_ANDREWS_GEOGRAPHY,
  ST_ANDREWS_HEADER,
  ST_ANDREWS_HITACHI,
  ST_ANDREWS_INDIGO,
  ST_ANDREWS_NICOLET,
  ST_ANDREWS_UNKNOWN,
} from './uniquip.fixtures';

const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

function listing(file: UniquipFile, name: string): ListingInput {
  const found = file.listings.find((l) => l.input.name === name);
  if (!found) throw new Error(`no listing named ${name}: ${JSON.stringify(file.errors)}`);
  return found.input;
}

describe('parseUniquip on St Andrews lines (no Name, no ID, names cut at 20 characters)', () => {
  const text = csv(
    ST_ANDREWS_HEADER,
    ST_ANDREWS_UNKNOWN,
    ST_ANDREWS_INDIGO,
    ST_ANDREWS_GEOGRAPHY,
    ST_ANDREWS_HITACHI,
    ST_ANDREWS_HITACHI,
    ST_ANDREWS_NICOLET,
    ST_ANDREWS_CONTROL,
    ST_ANDREWS_HITACHI,
    ST_ANDREWS_AGILENT,
  );
  const file = parseUniquip(text);

  it('takes names from Description and adds department and contact page to the description', () => {
    expect(listing(file, 'INDIGO2 COMPUTER RJ')).toEqual({
      localId: expect.stringMatching(/^uq-[0-9a-f]{12}$/),
      name: 'INDIGO2 COMPUTER RJ',
      nameEn: null,
      category: 'その他',
      manufacturer: null,
      model: 'INDIGO2',
      description: 'Department: Maths/Creem\nContact page: https://www.st-andrews.ac.uk/maths/',
      // Location is a link to the town's Wikipedia page; Site Location is the same in every record.
      building: null,
      sharedExternally: true,
      remoteOperable: false,
      requiresApproval: true,
      requiresQualification: false,
    });
    expect(listing(file, '01/AP/07/015 SEA ADV').description).toBe(
      'Department: Geography\nContact page: https://www.st-andrews.ac.uk/gsd/',
    );
    expect(file.notes).toContain('The file has no Name column: names are taken from Description.');
    expect(file.notes).toContain(
      'Site Location is "St Andrews" in every record: it names the institution rather than a place in it, and is not taken as a building.',
    );
  });

  it('accounts for every record: a placeholder name and a control character are row errors', () => {
    expect(file.listings.length + file.errors.length).toBe(parseCsv(text).length - 1);
    expect(file.errors).toEqual([
      { line: 2, record: 1, column: 'Description', message: 'Description is "UNKNOWN", a placeholder, not a name' },
      { line: 8, record: 7, column: 'Description', message: 'Description contains a control character (U+0016)' },
    ]);
  });

  it('numbers identical records, so that their ids do not depend on the order of rows', () => {
    const ids = file.listings.filter((l) => l.input.name === 'Hitachi S4800 SEM').map((l) => l.input.localId);
    expect(ids).toEqual([ids[0], `${ids[0]}-2`, `${ids[0]}-3`]);
    const reversed = parseUniquip(csv(ST_ANDREWS_HEADER, ...text.trimEnd().split('\r\n').slice(1).reverse()));
    const idOf = (f: UniquipFile) =>
      new Map(f.listings.map((l) => [`${l.input.name}|${l.input.description}|${l.input.localId}`, 1]));
    expect([...idOf(reversed).keys()].sort()).toEqual([...idOf(file).keys()].sort());
    expect(parseUniquip(text, { idPrefix: 'st-andrews' }).listings[0]!.input.localId).toMatch(/^st-andrews-[0-9a-f]{12}$/);
  });

  it('reads maker and model from names, leaving out a last word that may be cut short', () => {
    expect(listing(file, 'Hitachi S4800 SEM')).toMatchObject({
      manufacturer: 'Hitachi High-Tech (日立ハイテク)',
      model: 'S4800',
    });
    // Too few names here to tell that the source cuts them; `Triple` and `Spectro` are no part of a model anyway.
    expect(listing(file, 'Agilent 8900 Triple')).toMatchObject({ manufacturer: 'Agilent (アジレント)', model: '8900' });
    expect(listing(file, 'Nicolet 6700 Spectro')).toMatchObject({ model: '6700' });
  });

  it('lists the columns it does not map and says why contacts are left out', () => {
    expect(file.unmappedColumns).toEqual(['Contact Telephone', 'Contact Email']);
    expect(file.notes.join('\n')).toMatch(/Not imported: Contact Telephone, Contact Email/);
    expect(file.notes.join('\n')).toMatch(/The file has no ID column: a listing's localId is generated as uq-/);
    expect(file.notes).toContain(
      '7 of 7 listings have the catch-all category その他: the file has no Technique, Taxonomy or Type column.',
    );
  });
});

describe('parseUniquip on Southampton lines (other column names, prices in GBP)', () => {
  const text = csv(
    SOUTHAMPTON_HEADER,
    SOUTHAMPTON_E0001,
    SOUTHAMPTON_E0002,
    SOUTHAMPTON_E0004,
    SOUTHAMPTON_E0033,
    SOUTHAMPTON_E0236,
    SOUTHAMPTON_E0259,
    SOUTHAMPTON_E0520,
  );

  it('maps the register through its column names', () => {
    const file = parseUniquip(text);
    expect(listing(file, 'Nanoscope III')).toEqual({
      localId: 'E0001',
      name: 'Nanoscope III',
      nameEn: null,
      category: 'その他',
      manufacturer: null,
      model: null,
      description:
        'Multitasking controller for atomic force microscopes (AFM). Local ID: PH/01785\n' +
        'Department: WF - Physics and Astronomy / F7 - Faculty of Physical and Applied Science',
      building: '46 - Physics',
      sharedExternally: true,
      remoteOperable: false,
      requiresApproval: true,
      requiresQualification: false,
    });
    expect(listing(file, 'Explorer AFM')).toMatchObject({
      nameEn: 'Explorer Thermo-microscope',
      category: 'Atomic Force Microscope (AFM)',
    });
    expect(listing(file, 'Zeiss Confocal Microscope')).toMatchObject({
      manufacturer: 'Carl Zeiss (カールツァイス)',
      category: 'Lithography',
      description: expect.stringMatching(/^A Zeiss confocal microscope system .*\(HeNe - 633nm, GeNe - 543nm,/),
    });
    expect(listing(file, 'Perkin Elmer Elan 6100 Dynamic Reaction Cell (DRC)')).toMatchObject({
      nameEn: 'DRC',
      manufacturer: 'PerkinElmer (パーキンエルマー)',
      model: 'Elan 6100',
      building: '18 - SGH',
    });
    expect(listing(file, 'Laser Cutter')).toMatchObject({
      nameEn: 'Cadham FB7100 Laser Cutter',
      model: 'FB7100',
      building: '4 - WSA',
      description: expect.stringMatching(
        /Winchester School of Art’s on-campus shop .*\nDepartment: FH - School of Art \/ F1 - Faculty of Business and Law\nWeb page: http:\/\/www\.southampton\.ac\.uk\/wsa\//s,
      ),
    });
    expect(file.unmappedColumns).toEqual(['Related Facility ID', 'Supplier - Web page', 'Created']);
  });

  it('refuses mojibake and says what it would read', () => {
    const file = parseUniquip(text);
    expect(file.errors).toEqual([
      {
        line: 6,
        record: 5,
        column: 'Description',
        message: expect.stringMatching(
          /^Description is mojibake \(UTF-8 read as Windows-1252 or Latin-1\); it would read ".*0\.3 Å in vertical/,
        ),
      },
      {
        line: 7,
        record: 6,
        column: 'Name1',
        message: expect.stringContaining('it would read "Brewer Science Cee® 200 Precision Spin Coater - Main Cleanroom"'),
      },
    ]);
    expect(file.listings.length + file.errors.length).toBe(7);
  });

  it('leaves prices out without a rate, and says how to convert them', () => {
    const file = parseUniquip(text);
    expect(file.listings.every((l) => l.input.acquisitionPrice === undefined)).toBe(true);
    expect(file.notes.join('\n')).toMatch(/^4 prices in Asset cost not imported: .* --yen-rate <yen per unit>/m);
  });

  it('converts prices to whole yen at the rate given', () => {
    const file = parseUniquip(text, { yenPerUnit: 190 });
    expect(listing(file, 'Nanoscope III').acquisitionPrice).toBe(13_060_125); // £68,737.50
    expect(listing(file, 'Explorer AFM').acquisitionPrice).toBe(21_614_400);
    expect(listing(file, 'Laser Cutter')).not.toHaveProperty('acquisitionPrice'); // no price given
    expect(parseUniquip(text, { yenPerUnit: 189.37 }).listings[0]!.input.acquisitionPrice).toBe(13_016_820); // rounded
    expect(file.notes).toContain(
      "4 prices in Asset cost converted at 190 yen per unit of the file's currency and rounded to whole yen.",
    );
  });
});

describe('parseUniquip', () => {
  const HEADER = 'Type,Name,Description,Technique,ID,Department,Building,Service Level,Web Address';

  it('matches headers whatever their case, spacing and bracketed notes', () => {
    const file = parseUniquip(
      csv(' NAME ,technique, Asset Cost (GBP) ,Equipment-ID', 'TEM,Electron microscopy,"£1,250,000.00",X1'),
      {
        yenPerUnit: 200,
      },
    );
    expect(file.listings[0]!.input).toMatchObject({
      localId: 'X1',
      name: 'TEM',
      category: 'Electron microscopy',
      acquisitionPrice: 250_000_000,
    });
    expect(file.unmappedColumns).toEqual([]);
  });

  it('keeps the standard columns’ meaning: category, description lines, building, service level', () => {
    const file = parseUniquip(
      csv(
        HEADER,
        'equipment,JEOL JEM-2100F,<p>200 kV FEG TEM.<br>Cryo holder &amp; EDS.</p>,Electron Microscopy,T1,Physics,Schuster Building,Internal use only,https://example.ac.uk/tem',
        'facility,NMR Facility,NMR Facility,,T2,,,Internal and external users,',
        'equipment,Furnace,,,T3,,,,',
      ),
    );
    expect(file.listings.map((l) => l.input)).toEqual([
      expect.objectContaining({
        category: 'Electron Microscopy',
        manufacturer: 'JEOL (日本電子)',
        model: 'JEM-2100F',
        description:
          '200 kV FEG TEM.\nCryo holder & EDS.\nDepartment: Physics\nService level: Internal use only\nWeb page: https://example.ac.uk/tem',
        building: 'Schuster Building',
        sharedExternally: false,
      }),
      // `facility` says nothing about what it is; a description that repeats the name is dropped.
      expect.objectContaining({
        category: 'その他',
        description: 'Service level: Internal and external users',
        sharedExternally: true,
      }),
      expect.objectContaining({ category: 'その他', description: null, building: null, sharedExternally: true }),
    ]);
    expect(file.notes.join('\n')).toMatch(
      /sharedExternally: true for 1 listing without a Service Level .*; true for 1 listing whose Service Level offers it; false for 1 listing whose Service Level says internal use only\./,
    );
  });

  it('reads coordinates from a Location link that carries them', () => {
    const file = parseUniquip(
      csv(
        'ID,Name,Location',
        'A,TEM,https://www.openstreetmap.org/?mlat=43.0686&mlon=141.3508',
        'B,SEM,"geo:35.7126,139.7620"',
        'C,XRD,https://en.wikipedia.org/wiki/St_Andrews',
        'D,AFM,https://www.openstreetmap.org/?mlat=91&mlon=0',
        'E,NMR,Highfield campus',
      ),
    );
    expect(file.listings.map((l) => [l.input.location, l.input.building])).toEqual([
      [{ latitude: 43.0686, longitude: 141.3508 }, null],
      [{ latitude: 35.7126, longitude: 139.762 }, null],
      [undefined, null],
      [undefined, null],
      [undefined, 'Highfield campus'],
    ]);
  });

  it('takes Manufacturer and Model columns when a file has them', () => {
    const file = parseUniquip(
      csv('ID,Name,Manufacturer,Model', 'A,Confocal microscope,ZEISS,LSM 980', 'B,Plate reader,Tecan Group,'),
    );
    expect(file.listings.map((l) => [l.input.manufacturer, l.input.model])).toEqual([
      ['Carl Zeiss (カールツァイス)', 'LSM 980'],
      ['Tecan (テカン)', null],
    ]);
    expect(parseUniquip(csv('ID,Name,Manufacturer', 'A,Rheometer,Malvern Instruments Ltd')).listings[0]!.input.manufacturer).toBe(
      'Malvern Panalytical (マルバーン・パナリティカル)',
    );
    expect(parseUniquip(csv('ID,Name,Make', 'A,Lathe,Colchester')).listings[0]!.input.manufacturer).toBe('Colchester');
  });

  it('reads a commissioning date written YYYY-MM-DD', () => {
    const file = parseUniquip(
      csv('ID,Name,Commissioned Date', 'A,TEM,2019-04-01', 'B,SEM,2021-10-05T09:00:00Z', 'C,XRD,01/04/2019', 'D,AFM,2019-02-30'),
    );
    expect(file.listings.map((l) => l.input.acquiredOn)).toEqual(['2019-04-01', '2021-10-05']);
    expect(file.errors).toEqual([
      {
        line: 4,
        record: 3,
        column: 'Commissioned Date',
        message: 'Commissioned Date must be a date written YYYY-MM-DD, not "01/04/2019"',
      },
      {
        line: 5,
        record: 4,
        column: 'Commissioned Date',
        message: 'Commissioned Date must be a date written YYYY-MM-DD, not "2019-02-30"',
      },
    ]);
  });

  it('makes a price that is not a number a row error naming its column', () => {
    const file = parseUniquip(csv('ID,Name,Price', 'A,TEM,about 5k', 'B,SEM,-100', 'C,XRD,0', 'D,AFM,'), { yenPerUnit: 190 });
    expect(file.errors).toEqual([
      { line: 2, record: 1, column: 'Price', message: 'Price is not a price: "about 5k"' },
      { line: 3, record: 2, column: 'Price', message: 'Price is not a price: "-100"' },
    ]);
    expect(file.listings.map((l) => l.input.acquisitionPrice)).toEqual([undefined, undefined]);
    expect(file.notes).toContain('1 price of 0 left empty (a register\'s "not known").');
  });

  it('refuses a repeated ID, keeping the first', () => {
    const file = parseUniquip(csv('ID,Name', 'A,TEM', 'B,SEM', 'A,TEM again'));
    expect(file.listings.map((l) => l.input.localId)).toEqual(['A', 'B']);
    expect(file.errors).toEqual([{ line: 4, record: 3, column: 'ID', message: 'ID A repeats line 2, which is kept' }]);
  });

  it('generates ids for records without one, apart from those that have one', () => {
    const file = parseUniquip(csv('ID,Name', 'A,TEM', ',SEM'));
    expect(file.listings.map((l) => l.input.localId)).toEqual(['A', expect.stringMatching(/^uq-[0-9a-f]{12}$/)]);
    expect(file.notes.join('\n')).toMatch(/^1 listing has no ID: a listing's localId is generated/m);
  });

  it('makes records that do not fit the header, empty records and missing names row errors', () => {
    const file = parseUniquip(csv('ID,Name,Building', 'A,TEM,B1', 'B,SEM', 'C,XRD,B2,extra', 'D,AFM,B3,,', ',,', 'E,,B4'));
    expect(file.listings.map((l) => l.input.localId)).toEqual(['A', 'D']);
    expect(file.errors.map((e) => [e.line, e.record, e.column, e.message])).toEqual([
      [3, 2, null, 'the record has 2 fields where the header has 3 (a comma or line break out of place?)'],
      [4, 3, null, 'the record has 4 fields where the header has 3 (a comma or line break out of place?)'],
      [6, 5, null, 'the record is empty'],
      [7, 6, 'Name', 'Name is missing or empty'],
    ]);
  });

  it('numbers lines where records start, counting line breaks inside quoted fields', () => {
    const file = parseUniquip(csv('ID,Name,Description', 'A,TEM,"two\r\nlines"', '', 'B,,x'));
    expect(file.listings[0]!.input.description).toBe('two\nlines');
    expect(file.errors).toEqual([{ line: 5, record: 2, column: 'Name', message: 'Name is missing or empty' }]);
  });

  it('turns line breaks inside one-line fields into spaces and takes off formula protection', () => {
    const file = parseUniquip(csv('ID,Name,Building', `A,"Ultra-low\nfreezer","'-80 °C room"`, `'=B,'-80 °C freezer,x`));
    expect(file.listings.map((l) => [l.input.localId, l.input.name, l.input.building])).toEqual([
      ['A', 'Ultra-low freezer', '-80 °C room'],
      ['=B', '-80 °C freezer', 'x'],
    ]);
  });

  it('says when names look cut short by the source, and reads no model from their last word', () => {
    const names = [
      'Hitachi S4800 SEM ab',
      'Olympus IX81 Microsc',
      'RS2000 Optical Table',
      'AKTA Purifier UCD100',
      'Nikon Ti2-E Inverted',
    ];
    expect(names.map((n) => n.length)).toEqual([20, 20, 20, 20, 20]);
    const file = parseUniquip(csv('Description', ...names, 'Leica SP5 Confocal'));
    expect(file.notes).toContain(
      '5 names may be cut short at 20 characters by the source (the longest length, and far the most common); they are kept as they are, and their last word is not read for a model.',
    );
    // The last word is left out even when it was whole.
    expect(listing(file, 'AKTA Purifier UCD100')).toMatchObject({ model: null });
    expect(listing(file, 'Nikon Ti2-E Inverted')).toMatchObject({ manufacturer: 'Nikon (ニコン)', model: 'Ti2-E' });
    expect(listing(file, 'Leica SP5 Confocal')).toMatchObject({ manufacturer: 'Leica (ライカ)', model: 'SP5' });
  });

  it('refuses a file it cannot read as uniquip, and text that is not CSV', () => {
    expect(() => parseUniquip('')).toThrow(UniquipFileError);
    expect(() => parseUniquip(csv('ID,Technique', 'A,TEM'))).toThrow(/no Name column \(nor Description to take names from\)/);
    expect(() => parseUniquip(csv('ID,Name', 'A,"TEM'))).toThrow(CsvSyntaxError);
    expect(() => parseUniquip(csv('ID,Name'), { yenPerUnit: 0 })).toThrow(RangeError);
    expect(() => parseUniquip(csv('ID,Name'), { idPrefix: 'no spaces' })).toThrow(RangeError);
  });
});

describe('htmlToText', () => {
  it('makes text of an HTML fragment and leaves other text alone', () => {
    expect(htmlToText('<p>One &lt;two&gt;</p><ul><li>a</li><li>b &#8211; c</li></ul>')).toBe('One <two>\n\n- a\n- b – c');
    expect(htmlToText('5 < 6 & 7 > 3')).toBe('5 < 6 & 7 > 3');
  });
});

describe('formatUniquip', () => {
  const jpListing = (line: string) => {
    const parsed = parseJpEquipmentLine(line, 1);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return parsed.listing.input;
  };
  const listings: ListingInput[] = [
    jpListing(NMR_SCORPIO),
    jpListing(KYUSHU_UNCLASSIFIED),
    jpListing(HOKUDAI_ELECTRON),
    jpListing(TOYOHASHI_LONG_ADDRESS),
    {
      ...jpListing(NMR_SCORPIO),
      localId: 'LOCAL-1',
      name: '-80℃ フリーザー, "Ultra-low"',
      category: '冷凍・冷蔵',
      building: '=B1 棟',
      sharedExternally: false,
    },
  ];

  it('writes the standard uniquip columns in the standard order, CRLF line ends', () => {
    const text = formatUniquip([uniquipRowOf(listings[0]!, '北海道大学')]);
    expect(text.split('\r\n')[0]).toBe(UNIQUIP_COLUMNS.join(','));
    expect(UNIQUIP_COLUMNS).toHaveLength(21);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)[1]!.fields).toEqual([
      'equipment',
      '500MHz NMR測定装置(scorpio)(液体試料専用)',
      listings[0]!.description,
      '',
      '磁気共鳴装置',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      'HOKUDAI-AP-100223',
      '',
      '',
      '北海道大学',
      '次世代物質生命科学研究センターNMR棟 3',
      UNIQUIP_SERVICE_LEVELS.open,
      '',
    ]);
  });

  it('reads back what it writes: ids, names, categories, buildings, sharing and coordinates', () => {
    // As the gateway's open-data export writes it: Location an OpenStreetMap marker link.
    const located: ListingInput[] = listings.map((l, i) => ({
      ...l,
      location: { latitude: 43.07 + i / 100, longitude: 141.35 },
    }));
    const rows = located.map((l) => ({
      ...uniquipRowOf(l, '北海道大学'),
      location: `https://www.openstreetmap.org/?mlat=${l.location!.latitude}&mlon=${l.location!.longitude}`,
    }));
    const back = parseUniquip(formatUniquip(rows));
    expect(back.errors).toEqual([]);
    const pick = (l: ListingInput) => [l.localId, l.name, l.category, l.building, l.sharedExternally, l.location];
    expect(back.listings.map((l) => pick(l.input))).toEqual(located.map(pick));
    expect(back.listings[3]!.input.description).toMatch(/^工作支援部門\nフライス盤中、主軸が垂直であるものを立フライスと呼ぶ。/);
  });
});

describe('readUniquipFile', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('reads a Windows-1252 file and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kyoyo-uniquip-'));
    dirs.push(dir);
    const path = join(dir, 'register.csv');
    await writeFile(path, Buffer.from('ID,Name,Price\r\nA,Citro\xebn Relay van,\xa355931.76\r\n', 'latin1'));
    const file = await readUniquipFile(path, { yenPerUnit: 190 });
    expect(file.encoding).toBe('latin-1');
    expect(file.listings[0]!.input).toMatchObject({ name: 'Citroën Relay van', acquisitionPrice: 10_627_034 });
    expect(file.notes[0]).toBe('The file is not UTF-8: it was read as Windows-1252 (Latin-1).');
  });
});

/** The real files beside the project (`../shared/data`), when they are there. */
const DATA = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));
const haveData = existsSync(join(DATA, 'uk-st-andrews-uniquip.csv')) && existsSync(join(DATA, 'uk-southampton-equipment.csv'));
const skipped = haveData ? '' : ' (skipped: ../shared/data is absent)';

describe('the real UK files', () => {
  it.skipIf(!haveData)(`uk-st-andrews-uniquip.csv: every record a listing or a row error${skipped}`, async () => {
    const file = await readUniquipFile(join(DATA, 'uk-st-andrews-uniquip.csv'));
    expect(file.encoding).toBe('utf-8');
    expect(file.listings.length + file.errors.length).toBe(623);
    expect(file.listings).toHaveLength(621);
    expect(file.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'Description'],
      [484, 'Description'],
    ]);
    expect(new Set(file.listings.map((l) => l.input.localId)).size).toBe(621);
    expect(file.notes).toContain(
      '350 names may be cut short at 20 characters by the source (the longest length, and far the most common); they are kept as they are, and their last word is not read for a model.',
    );
    expect(file.listings.filter((l) => l.input.category === 'その他')).toHaveLength(621);
    expect(file.listings.filter((l) => l.input.manufacturer !== null)).toHaveLength(47);
    expect(file.listings.filter((l) => l.input.model !== null)).toHaveLength(121);
  });

  it.skipIf(!haveData)(`uk-southampton-equipment.csv: every record a listing or a row error${skipped}`, async () => {
    const file = await readUniquipFile(join(DATA, 'uk-southampton-equipment.csv'), { yenPerUnit: 190 });
    expect(file.listings.length + file.errors.length).toBe(233);
    expect(file.listings).toHaveLength(229);
    expect(file.errors.map((e) => [e.line, e.column])).toEqual([
      [68, 'Description'],
      [71, 'Description'],
      [72, 'Description'],
      [90, 'Name1'],
    ]);
    expect(file.listings.filter((l) => l.input.acquisitionPrice !== undefined)).toHaveLength(216);
    expect(file.listings.filter((l) => l.input.category === 'その他')).toHaveLength(212);
    expect(file.listings.filter((l) => l.input.nameEn !== null)).toHaveLength(140);
    expect(file.listings.filter((l) => l.input.manufacturer !== null)).toHaveLength(49);
    expect(file.listings.filter((l) => l.input.model !== null)).toHaveLength(79);
    const prices = file.listings.flatMap((l) => (typeof l.input.acquisitionPrice === 'number' ? [l.input.acquisitionPrice] : []));
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(25_000 * 190);
    expect(prices.every(Number.isInteger)).toBe(true);
  });
});
